"""Demo and test data: a deterministic generator of realistic customer mail."""
