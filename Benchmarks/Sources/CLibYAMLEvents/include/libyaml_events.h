#ifndef LIBYAML_EVENTS_H
#define LIBYAML_EVENTS_H
#include <stddef.h>

/// Parses `length` bytes with the system libyaml and discards every event: the floor any tree
/// builder on libyaml can reach. Returns the number of events, or -1 on a parse error.
long libyaml_count_events(const unsigned char *input, size_t length);

#endif
