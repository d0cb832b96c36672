// Placeholder until the module's first files are committed.
