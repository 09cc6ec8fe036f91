package config

// Keys lists every key path of the file ("sources[].every", "topics.NAME.query"), for tests.
func Keys() []string { return keys() }
