"""Cases that misuse the case process's memory, for the executor's recycling tests."""
