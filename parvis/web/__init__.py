"""The portal's frame: layout, home, account pages, administration, static files."""
