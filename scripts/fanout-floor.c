// The floor under `spool bench`'s live-delivery measurement on this machine.
//
// Sends a 300-byte message every 20 ms to 1,000 loopback TCP connections (two
// sending threads, like the server's two event loops) and receives them on two
// epoll threads (like the bench's two reader threads), then prints the
// send→arrival latency percentiles, measured as the bench measures them: the
// kernel stamps each message as it arrives at its socket (SO_TIMESTAMPNS), and
// the receivers collect what has arrived every 5 ms. No HTTP, no SSE framing,
// no Swift: only the kernel's loopback TCP and the two shared cores, i.e. the
// least any server could spend fanning one event out to 1,000 subscribers here.
//
//   cc -O2 -pthread -o /tmp/fanout-floor scripts/fanout-floor.c && /tmp/fanout-floor
//   /tmp/fanout-floor SUBSCRIBERS ROUNDS INTERVAL_MS     (defaults 1000 200 20)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MESSAGE_BYTES = 300, THREADS = 2, COLLECT_EVERY_MS = 5 };

static int subscribers = 1000, rounds = 200, interval_ms = 20;
static int *sending_fds, *receiving_fds;
static uint64_t *latencies;
static long latency_count[THREADS];
static uint64_t start_ns;

// On CLOCK_REALTIME, the clock of the kernel's receive stamps.
static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void fail(const char *what) {
    perror(what);
    exit(1);
}

// Each sender writes every round's message to its half of the connections, the
// round starting at the same absolute time in both threads.
static void *send_rounds(void *arg) {
    long thread = (long)arg;
    char message[MESSAGE_BYTES];
    memset(message, 'x', sizeof message);
    for (int round = 0; round < rounds; round++) {
        uint64_t due = start_ns + (uint64_t)round * interval_ms * 1000000u;
        struct timespec until = {(time_t)(due / 1000000000u), (long)(due % 1000000000u)};
        clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL);
        uint64_t sent = now_ns();
        memcpy(message, &sent, sizeof sent);
        for (int i = (int)thread; i < subscribers; i += THREADS) {
            if (write(sending_fds[i], message, sizeof message) != sizeof message) fail("write");
        }
    }
    return NULL;
}

// Each receiver reads its half of the connections until every message arrived.
static void *receive_rounds(void *arg) {
    long thread = (long)arg;
    int epoll = epoll_create1(0);
    int mine = 0;
    for (int i = (int)thread; i < subscribers; i += THREADS, mine++) {
        struct epoll_event event = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        if (epoll_ctl(epoll, EPOLL_CTL_ADD, receiving_fds[i], &event) != 0) fail("epoll_ctl");
    }
    long expected = (long)mine * rounds;
    uint64_t *mine_latencies = latencies + thread * (long)((subscribers + 1) / THREADS + 1) * rounds;
    // A read may end mid-message: keep the start of it, per connection, until the rest comes.
    char (*partial)[MESSAGE_BYTES] = calloc((size_t)subscribers, MESSAGE_BYTES);
    int *partial_bytes = calloc((size_t)subscribers, sizeof(int));
    char buffer[MESSAGE_BYTES * 8];
    union {
        char bytes[CMSG_SPACE(sizeof(struct timespec))];
        struct cmsghdr align;
    } control;
    int collected_all = 1;
    while (latency_count[thread] < expected) {
        struct epoll_event ready[256];
        if (collected_all) {
            struct timespec pause = {0, COLLECT_EVERY_MS * 1000000L};
            nanosleep(&pause, NULL);
        }
        int count = epoll_wait(epoll, ready, 256, 0);
        if (count < 0 && errno != EINTR) fail("epoll_wait");
        collected_all = count < 256;
        for (int r = 0; r < count; r++) {
            int i = (int)ready[r].data.u32;
            struct iovec vector = {buffer, sizeof buffer};
            struct msghdr message = {.msg_iov = &vector, .msg_iovlen = 1, .msg_control = control.bytes,
                                     .msg_controllen = sizeof control.bytes};
            ssize_t got = recvmsg(receiving_fds[i], &message, 0);
            if (got <= 0) fail("recvmsg");
            uint64_t received = 0;
            for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
                if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_TIMESTAMPNS) {
                    struct timespec stamp;
                    memcpy(&stamp, CMSG_DATA(header), sizeof stamp);
                    received = (uint64_t)stamp.tv_sec * 1000000000u + (uint64_t)stamp.tv_nsec;
                }
            }
            if (received == 0) fail("no receive timestamp");
            for (ssize_t at = 0; at < got;) {
                ssize_t take = MESSAGE_BYTES - partial_bytes[i];
                if (take > got - at) take = got - at;
                memcpy(partial[i] + partial_bytes[i], buffer + at, (size_t)take);
                partial_bytes[i] += (int)take;
                at += take;
                if (partial_bytes[i] == MESSAGE_BYTES) {
                    uint64_t sent;
                    memcpy(&sent, partial[i], sizeof sent);
                    mine_latencies[latency_count[thread]++] = received - sent;
                    partial_bytes[i] = 0;
                }
            }
        }
    }
    return NULL;
}

static int compare(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc > 1) subscribers = atoi(argv[1]);
    if (argc > 2) rounds = atoi(argv[2]);
    if (argc > 3) interval_ms = atoi(argv[3]);
    sending_fds = calloc((size_t)subscribers, sizeof(int));
    receiving_fds = calloc((size_t)subscribers, sizeof(int));
    latencies = calloc((size_t)THREADS * ((size_t)(subscribers + 1) / THREADS + 1) * (size_t)rounds, sizeof(uint64_t));

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0) fail("bind");
    if (listen(listener, 4096) != 0) fail("listen");
    getsockname(listener, (struct sockaddr *)&address, &length);
    int one = 1;
    for (int i = 0; i < subscribers; i++) {
        receiving_fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (setsockopt(receiving_fds[i], SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0) fail("SO_TIMESTAMPNS");
        if (connect(receiving_fds[i], (struct sockaddr *)&address, sizeof address) != 0) fail("connect");
        sending_fds[i] = accept(listener, NULL, NULL);
        if (sending_fds[i] < 0) fail("accept");
        setsockopt(sending_fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }

    start_ns = now_ns() + 200000000u;
    pthread_t senders[THREADS], receivers[THREADS];
    for (long t = 0; t < THREADS; t++) pthread_create(&receivers[t], NULL, receive_rounds, (void *)t);
    for (long t = 0; t < THREADS; t++) pthread_create(&senders[t], NULL, send_rounds, (void *)t);
    for (int t = 0; t < THREADS; t++) pthread_join(senders[t], NULL);
    for (int t = 0; t < THREADS; t++) pthread_join(receivers[t], NULL);

    // Gather both receivers' samples and sort them.
    long total = 0;
    long stride = (long)((subscribers + 1) / THREADS + 1) * rounds;
    for (int t = 0; t < THREADS; t++) {
        memmove(latencies + total, latencies + t * stride, (size_t)latency_count[t] * sizeof(uint64_t));
        total += latency_count[t];
    }
    qsort(latencies, (size_t)total, sizeof(uint64_t), compare);
    printf("%d subscribers, %d rounds every %d ms, %ld deliveries measured\n", subscribers, rounds, interval_ms, total);
    printf("at the socket: p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", latencies[total / 2] / 1e6, latencies[total * 99 / 100] / 1e6,
           latencies[total - 1] / 1e6);
    return 0;
}
