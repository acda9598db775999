"""Data the generator draws from: name frequency lists, streets, places."""
