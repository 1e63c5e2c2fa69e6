"""Public Wi-Fi: the Paris Wi-Fi network, its coverage and its extension (core in `planning`)."""
