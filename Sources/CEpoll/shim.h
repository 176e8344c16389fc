#ifndef SPOOL_CEPOLL_SHIM_H
#define SPOOL_CEPOLL_SHIM_H

// Linux's epoll, which Swift's Glibc module leaves out; the bench's live
// readers wait on a thousand sockets with it.
#include <sys/epoll.h>

#endif
