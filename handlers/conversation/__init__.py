"""The conversation: free text and `/sales` in, one answer out, whatever the surface."""
