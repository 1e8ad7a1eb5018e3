"""Item models for the agent desktop's views."""
