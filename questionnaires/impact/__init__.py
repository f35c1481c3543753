"""The impact table ("Bilan chiffré"): figures per stage and across stages, labels, people lists, charts."""
