"""What every domain needs and that has no domain words: settings, database, auth, i18n, errors."""
