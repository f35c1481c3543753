"""The stage report ("Bilan du stage", shared/domain/report.md): one description, two renderers."""
