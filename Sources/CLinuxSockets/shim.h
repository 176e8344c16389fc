#ifndef SPOOL_CLINUXSOCKETS_SHIM_H
#define SPOOL_CLINUXSOCKETS_SHIM_H

// Linux socket calls that Swift's Glibc module leaves out or cannot express:
// epoll, which the bench's load generator waits on a thousand sockets with,
// and reads that carry the kernel's receive time.
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

/// Asks the kernel to stamp each segment `fd` receives with the time it arrived.
static inline int spool_enable_receive_timestamps(int fd) {
    int on = 1;
    return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
}

/// `recv` without blocking that also reports when the last of the bytes read
/// arrived at the socket, in CLOCK_REALTIME nanoseconds (0 when the kernel
/// gave no time).
static inline long spool_recv_timestamped(int fd, void *buffer, unsigned long length, unsigned long long *arrivedAt) {
    struct iovec piece = { buffer, length };
    char control[CMSG_SPACE(sizeof(struct timespec))];
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = &piece;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    long received = recvmsg(fd, &message, MSG_DONTWAIT);
    *arrivedAt = 0;
    if (received <= 0) return received;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec time;
            memcpy(&time, CMSG_DATA(header), sizeof time);
            *arrivedAt = (unsigned long long)time.tv_sec * 1000000000ULL + (unsigned long long)time.tv_nsec;
        }
    }
    return received;
}

#endif
