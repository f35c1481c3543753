"""Files in and out: the stage archive and its schema, exports, spreadsheet reading, backups."""
