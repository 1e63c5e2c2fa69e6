"""City projects: where the sustainable, connected and open city meet."""
