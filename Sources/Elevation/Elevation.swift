// The elevation domain: API types, validation, decisions and mesh backends. Pure: no I/O, no clock.
