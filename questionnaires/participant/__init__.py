"""The participant's side: the bilan on a tablet, from a personal link or a QR code."""
