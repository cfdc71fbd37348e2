"""Cases that misbehave on purpose: they hang, kill their process, or interrupt the run."""
