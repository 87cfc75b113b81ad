"""The matcher: rule patterns compiled to one regex per rule over encoded token streams."""
