"""What the App Home tab shows, read in a fixed number of statements."""
