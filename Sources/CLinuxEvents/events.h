// Linux's readiness and wakeup primitives, which Glibc's Swift module leaves out: the libcurl
// loop waits on an epoll set and is woken through an eventfd (Kube's CurlSockets).
#include <sys/epoll.h>
#include <sys/eventfd.h>
