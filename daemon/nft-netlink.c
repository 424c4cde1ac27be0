/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft-netlink: the netlink edge of the pipeline, and the only code that
 * owns a socket.
 *
 * A commit sends a whole NftBatch as one nf_tables transaction in one
 * sendmsg(): BATCH_BEGIN, the batch's pages as they are (the compiler
 * serialised every message, with its own sequence number), BATCH_END
 * (left out to have the kernel validate and abort: check mode). The
 * kernel runs the batch synchronously inside sendmsg(), so when it
 * returns every reply is already queued; they are drained without
 * blocking. Each error's sequence number names the NftMessage, hence the
 * SourceLoc, to blame; for rules the extended ack's attribute offset,
 * looked up in the message's bytes, names the expression.
 *
 * Dumps read back one of our tables (table, chains, sets with elements,
 * rules) and start again when a commit interrupted them.
 *
 * See docs/netfilter-notes.md §2 and §3 for the measurements behind the
 * buffer sizes.
 */

#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>

#include "nft-netlink.h"

/*
 * At least 32 KiB, since the kernel fills dump messages up to that, and
 * more than the largest single message an echo can bring back.
 */
#define RECV_BUFFER_SIZE (128u * 1024)

/*
 * Receive buffer asked for each message that may answer: an error, or an
 * echo, never both (a refused batch echoes nothing). Measured: 272 bytes
 * per echoed rule, 416 per ack; the kernel doubles what it is given.
 */
#define RCVBUF_PER_MESSAGE 512u
#define RCVBUF_BASE (256u * 1024)
/* What an echoed rule takes of the buffer in effect: 544 bytes measured, and a margin. */
#define RCVBUF_PER_ECHO 640u

/* Dumps interrupted by commits this many times in a row give up. */
#define DUMP_TRIES 8

/* Requests are a header and a few names. */
#define REQUEST_SIZE 2048

struct NftSocket {
        struct mnl_socket *nl;
        uint32_t portid;
        /* The newest generation another process committed, as the last read of events saw it. */
        uint32_t foreign_genid;
        uint32_t foreign_pid;
        char foreign_comm[16];
        uint32_t seq;
        uint8_t *buf;           /* RECV_BUFFER_SIZE */
        int sndbuf;             /* what we asked for: buffers only grow */
        int rcvbuf;
};

static void nftnl_gen_cleanup(struct nftnl_gen **g) {
        if (*g)
                nftnl_gen_free(*g);
}

static void nftnl_set_list_iter_cleanup(struct nftnl_set_list_iter **i) {
        if (*i)
                nftnl_set_list_iter_destroy(*i);
}

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static const char *family_to_string(uint32_t family) {
        switch (family) {
        case NFPROTO_IPV4:
                return "ip";
        case NFPROTO_IPV6:
                return "ip6";
        case NFPROTO_INET:
                return "inet";
        case NFPROTO_ARP:
                return "arp";
        case NFPROTO_BRIDGE:
                return "bridge";
        case NFPROTO_NETDEV:
                return "netdev";
        }
        return "?";
}

/**
 * nft_socket_open() - open a netfilter netlink socket
 * @ret: the socket
 *
 * Extended acks give errors a message and the offset of the attribute at
 * fault; capped acks keep errors from copying the whole request back.
 *
 * Return: 0, or a negative errno.
 */
int nft_socket_open(NftSocket **ret) {
        _cleanup_(nft_socket_freep) NftSocket *s = NULL;
        int one = 1;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->buf = malloc(RECV_BUFFER_SIZE);
        if (!s->buf)
                return -ENOMEM;

        s->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
        if (!s->nl)
                return negative_errno();
        if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0)
                return negative_errno();
        if (mnl_socket_setsockopt(s->nl, NETLINK_EXT_ACK, &one, sizeof(one)) < 0)
                return negative_errno();
        if (mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one)) < 0)
                return negative_errno();

        s->portid = mnl_socket_get_portid(s->nl);
        /*
         * Requests number from the time, far above the numbers of any
         * batch (which start at 0): a reply to one never passes for the
         * other's. A fresh start also keeps a new socket's replies apart
         * from an old one's in traces.
         */
        s->seq = (uint32_t)time(NULL);

        *ret = TAKE_PTR(s);
        return 0;
}

/**
 * nft_socket_free() - close a socket
 * @s: the socket, or NULL
 *
 * Return: NULL.
 */
NftSocket *nft_socket_free(NftSocket *s) {
        if (!s)
                return NULL;
        if (s->nl)
                mnl_socket_close(s->nl);
        free(s->buf);
        free(s);
        return NULL;
}

/**
 * nft_socket_get_fd() - the socket's file descriptor, for an event loop
 * @s: the socket
 *
 * Return: the descriptor, owned by @s.
 */
int nft_socket_get_fd(NftSocket *s) {
        return mnl_socket_get_fd(s->nl);
}

/*
 * Grows a socket buffer. FORCE needs CAP_NET_ADMIN in the initial user
 * namespace; the plain option is capped by net.core.[rw]mem_max, which
 * is all a daemon in a user namespace gets. Returns the size in effect
 * (the kernel doubles what it is asked for, for its bookkeeping).
 */
static int socket_grow_buffer(NftSocket *s, int force, int plain, int *current, uint64_t want, int *ret_effective) {
        int fd = mnl_socket_get_fd(s->nl), size;
        socklen_t len = sizeof(int);

        if (want > INT_MAX / 2)
                want = INT_MAX / 2;
        size = (int)want;
        if (size > *current) {
                if (setsockopt(fd, SOL_SOCKET, force, &size, sizeof(size)) < 0 &&
                    setsockopt(fd, SOL_SOCKET, plain, &size, sizeof(size)) < 0)
                        return negative_errno();
                *current = size;
        }
        if (ret_effective && getsockopt(fd, SOL_SOCKET, plain, ret_effective, &len) < 0)
                return negative_errno();
        return 0;
}

/* ---- requests and dumps ---- */

typedef int (*ReplyFn)(const struct nlmsghdr *nlh, void *userdata);

/* The generation (its low 16 bits) every nf_tables reply carries in nfgenmsg.res_id. */
typedef struct DumpGen {
        bool seen;
        bool changed;
        uint16_t id;
} DumpGen;

static void dump_gen_note(DumpGen *gen, const struct nlmsghdr *nlh) {
        const struct nfgenmsg *nfg;

        if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*nfg))
                return;
        nfg = mnl_nlmsg_get_payload(nlh);
        if (!gen->seen) {
                gen->seen = true;
                gen->id = ntohs(nfg->res_id);
        } else if (gen->id != ntohs(nfg->res_id))
                gen->changed = true;
}

static struct nlmsghdr *request_new(NftSocket *s, void *buf, uint16_t type, int family, uint16_t flags) {
        return nftnl_nlmsg_build_hdr(buf, type, (uint16_t)family, flags, s->seq++);
}

/*
 * Sends one request and reads its replies up to the end the kernel marks:
 * NLMSG_DONE for a dump, the ack for a plain request (which must ask for
 * one with NLM_F_ACK). Replies are read to the end even after a failure,
 * so that none is left for the next request; stale replies of an earlier
 * request are skipped by their sequence number. Returns 0, the first error
 * of the kernel or of @fn, -EINTR when a commit interrupted a dump, or
 * -ENOBUFS when replies were lost.
 */
static int socket_request(NftSocket *s, struct nlmsghdr *req, ReplyFn fn, void *userdata, DumpGen *gen) {
        int fd = mnl_socket_get_fd(s->nl), r = 0, flags = 0;
        uint32_t seq = req->nlmsg_seq;
        bool done = false, intr = false, lost = false;

        if (mnl_socket_sendto(s->nl, req, req->nlmsg_len) < 0)
                return negative_errno();

        while (!done) {
                struct nlmsghdr *nlh;
                ssize_t n;
                int len;

                n = recv(fd, s->buf, RECV_BUFFER_SIZE, flags | MSG_TRUNC);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == ENOBUFS) {
                                /*
                                 * Our end marker may be among the losses: stop
                                 * waiting, take only what is queued.
                                 */
                                lost = true;
                                flags = MSG_DONTWAIT;
                                continue;
                        }
                        if (errno == EAGAIN && lost)
                                break;
                        return negative_errno();
                }
                if ((size_t)n > RECV_BUFFER_SIZE) {
                        /* Truncated: the end marker may have been in it. */
                        lost = true;
                        flags = MSG_DONTWAIT;
                        continue;
                }

                len = (int)n;
                for (nlh = (struct nlmsghdr *)s->buf; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
                        if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != s->portid)
                                continue;

                        if (nlh->nlmsg_type == NLMSG_DONE) {
                                /* A dump that failed midway says so here. */
                                if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
                                        int err = *(const int *)mnl_nlmsg_get_payload(nlh);

                                        if (err < 0 && r == 0)
                                                r = err;
                                }
                                done = true;
                                break;
                        }
                        if (nlh->nlmsg_type == NLMSG_ERROR) {
                                const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

                                if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
                                        r = r ?: -EBADMSG;
                                else if (err->error < 0 && r == 0)
                                        r = err->error;
                                done = true;
                                break;
                        }
                        if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
                                intr = true;
                        if (gen)
                                dump_gen_note(gen, nlh);
                        if (r == 0 && fn)
                                r = fn(nlh, userdata);
                }
        }

        if (lost)
                return -ENOBUFS;
        if (intr && r == 0)
                return -EINTR;
        return r;
}

static int gen_reply(const struct nlmsghdr *nlh, void *userdata) {
        _cleanup_(nftnl_gen_cleanup) struct nftnl_gen *g = NULL;
        uint32_t *genid = userdata;

        if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWGEN)
                return 0;
        g = nftnl_gen_alloc();
        if (!g)
                return -ENOMEM;
        if (nftnl_gen_nlmsg_parse(nlh, g) < 0 || !nftnl_gen_is_set(g, NFTNL_GEN_ID))
                return -EBADMSG;
        *genid = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
        return 0;
}

/**
 * nft_socket_get_genid() - the current nf_tables generation
 * @s: the socket
 * @ret: the generation, for nft_socket_commit() with NFT_COMMIT_GENID
 *
 * Every commit in the network namespace moves it by one.
 *
 * Return: 0, or a negative errno.
 */
int nft_socket_get_genid(NftSocket *s, uint32_t *ret) {
        char buf[REQUEST_SIZE] __attribute__((aligned(8)));
        struct nlmsghdr *nlh;
        uint32_t genid = 0;
        int r;

        nlh = request_new(s, buf, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK);
        r = socket_request(s, nlh, gen_reply, &genid, NULL);
        if (r < 0)
                return r;
        if (genid == 0)
                return -EBADMSG;
        *ret = genid;
        return 0;
}

/* ---- committing a batch ---- */

/*
 * The batch numbers its messages from 1; BATCH_BEGIN takes 0 and
 * BATCH_END the one after the last. Replies to the socket's other
 * requests carry numbers far from these (see nft_socket_open()), and none
 * is left over when a commit starts (commit_drain() with no commit).
 */
#define SEQ_BEGIN 0u

typedef struct Commit {
        NftSocket *socket;
        NftBatch *batch;
        DiagList *diags;
        uint32_t seq_end;       /* BATCH_END's: the last number a reply of ours may carry */
        bool restart;
        bool lost;
        int batch_error;        /* refused as a whole, on BATCH_BEGIN's seq */
        const NftMessage *last_refused; /* errors come in seq order: the message refused last */
        size_t n_errors;        /* messages refused */
        size_t n_echoes;
} Commit;

static void extack_parse(const struct nlmsghdr *nlh, const char **ret_msg, uint32_t *ret_offset) {
        const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
        size_t offset = sizeof(*err);
        const struct nlattr *a;

        if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
                return;
        /* The TLVs follow the copy of the request, which is its header alone when capped. */
        if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
                offset += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
        mnl_attr_for_each(a, nlh, offset) {
                switch (mnl_attr_get_type(a)) {
                case NLMSGERR_ATTR_MSG:
                        if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
                                *ret_msg = mnl_attr_get_str(a);
                        break;
                case NLMSGERR_ATTR_OFFS:
                        if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
                                *ret_offset = mnl_attr_get_u32(a);
                        break;
                default:
                        break;
                }
        }
}

/* A top-level string attribute of one of the batch's messages (a name), or "". */
static const char *message_str(const struct nlmsghdr *nlh, uint16_t type) {
        const struct nlattr *a;

        mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
                if (mnl_attr_get_type(a) == type && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
                        return mnl_attr_get_str(a);
        return "";
}

static uint32_t message_family(const struct nlmsghdr *nlh) {
        const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);

        return nfg->nfgen_family;
}

static bool attr_holds(const struct nlmsghdr *nlh, const struct nlattr *a, uint32_t offset) {
        uint32_t start = (uint32_t)((const uint8_t *)a - (const uint8_t *)nlh);

        return offset >= start && offset - start < a->nla_len;
}

/*
 * Names the part of a refused rule the kernel pointed at (NLMSGERR_ATTR_OFFS:
 * bytes from the message's start), read in the message as it was sent:
 * ", in expression #4 (immediate)".
 */
static void rule_locate(const struct nlmsghdr *nlh, uint32_t offset, char *ret, size_t size) {
        const struct nlattr *a, *e, *x;

        *ret = '\0';
        if (offset == 0 || offset >= nlh->nlmsg_len)
                return;
        mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
                unsigned index = 0;

                if (!attr_holds(nlh, a, offset))
                        continue;
                if (mnl_attr_get_type(a) == NFTA_RULE_USERDATA) {
                        snprintf(ret, size, ", in its comment or tag (userdata)");
                        return;
                }
                if (mnl_attr_get_type(a) != NFTA_RULE_EXPRESSIONS)
                        return;
                mnl_attr_for_each_nested(e, a) {
                        const char *name = "";

                        index++;
                        if (!attr_holds(nlh, e, offset))
                                continue;
                        mnl_attr_for_each_nested(x, e)
                                if (mnl_attr_get_type(x) == NFTA_EXPR_NAME &&
                                    mnl_attr_validate(x, MNL_TYPE_NUL_STRING) >= 0)
                                        name = mnl_attr_get_str(x);
                        snprintf(ret, size, ", in expression #%u (%s)", index, name);
                        return;
                }
                return;
        }
}

static int commit_on_error(Commit *c, const struct nlmsghdr *nlh) {
        const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
        const char *extack = NULL;
        char where[128] = "";
        uint32_t offset = 0;
        const NftMessage *m;

        if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
                return -EBADMSG;
        if (err->error == 0)
                return 0;       /* an ack: we ask for none, but the kernel may send them */
        extack_parse(nlh, &extack, &offset);

        m = nft_batch_find_seq(c->batch, nlh->nlmsg_seq);
        if (!m) {
                /* The batch as a whole: a stale genid, no privilege, or a failure while committing. */
                if (err->error == -ERESTART) {
                        c->restart = true;
                        return 0;
                }
                if (c->batch_error == 0)
                        c->batch_error = err->error;
                return diag_list_add(c->diags, DIAG_ERROR, DIAG_KERNEL, NULL,
                                     "the kernel refused the transaction: %s%s%s",
                                     strerror(-err->error), extack ? ": " : "", strempty(extack));
        }

        /*
         * One diagnostic per message: when a set is refused, each of its
         * element messages fails too, for want of the set.
         */
        if (m == c->last_refused)
                return 0;
        c->last_refused = m;
        c->n_errors++;
        switch (m->kind) {
        case NFT_MESSAGE_NEW_TABLE:
                return diag_list_add(c->diags, DIAG_ERROR, DIAG_KERNEL, &m->loc,
                                     "the kernel refused table %s %s: %s%s%s",
                                     family_to_string(message_family(m->nlh)), message_str(m->nlh, NFTA_TABLE_NAME),
                                     strerror(-err->error), extack ? ": " : "", strempty(extack));
        case NFT_MESSAGE_DEL_TABLE:
                return diag_list_add(c->diags, DIAG_ERROR, DIAG_KERNEL, &m->loc,
                                     "the kernel refused to delete table %s %s: %s%s%s",
                                     family_to_string(message_family(m->nlh)), message_str(m->nlh, NFTA_TABLE_NAME),
                                     strerror(-err->error), extack ? ": " : "", strempty(extack));
        case NFT_MESSAGE_NEW_CHAIN:
                return diag_list_add(c->diags, DIAG_ERROR, DIAG_KERNEL, &m->loc, "the kernel refused chain %s: %s%s%s",
                                     message_str(m->nlh, NFTA_CHAIN_NAME), strerror(-err->error),
                                     extack ? ": " : "", strempty(extack));
        case NFT_MESSAGE_DEL_CHAIN:
                return diag_list_add(c->diags, DIAG_ERROR, DIAG_KERNEL, &m->loc,
                                     "the kernel refused to delete chain %s: %s%s%s",
                                     message_str(m->nlh, NFTA_CHAIN_NAME), strerror(-err->error),
                                     extack ? ": " : "", strempty(extack));
        case NFT_MESSAGE_DEL_SET:
                return diag_list_add(c->diags, DIAG_ERROR, DIAG_KERNEL, &m->loc,
                                     "the kernel refused to delete set %s: %s%s%s",
                                     message_str(m->nlh, NFTA_SET_NAME), strerror(-err->error),
                                     extack ? ": " : "", strempty(extack));
        case NFT_MESSAGE_DEL_RULE:
                if (m->handle == 0)
                        return diag_list_add(c->diags, DIAG_ERROR, DIAG_KERNEL, &m->loc,
                                             "the kernel refused to flush chain %s: %s%s%s",
                                             message_str(m->nlh, NFTA_RULE_CHAIN), strerror(-err->error),
                                             extack ? ": " : "", strempty(extack));
                return diag_list_add(c->diags, DIAG_ERROR, DIAG_KERNEL, &m->loc,
                                     "the kernel refused to delete rule handle %llu of chain %s: %s%s%s",
                                     (unsigned long long)m->handle, message_str(m->nlh, NFTA_RULE_CHAIN),
                                     strerror(-err->error), extack ? ": " : "", strempty(extack));
        case NFT_MESSAGE_NEW_SET:
                return diag_list_add(c->diags, DIAG_ERROR, DIAG_KERNEL, &m->loc,
                                     "the kernel refused %sset %s: %s%s%s",
                                     nlh->nlmsg_seq == m->seq ? "" : "the elements of ",
                                     message_str(m->nlh, NFTA_SET_NAME), strerror(-err->error),
                                     extack ? ": " : "", strempty(extack));
        case NFT_MESSAGE_NEW_OBJ:
                return diag_list_add(c->diags, DIAG_ERROR, DIAG_KERNEL, &m->loc,
                                     "the kernel refused object %s (a ct helper here): %s%s%s",
                                     message_str(m->nlh, NFTA_OBJ_NAME), strerror(-err->error),
                                     extack ? ": " : "", strempty(extack));
        case NFT_MESSAGE_NEW_RULE:
                rule_locate(m->nlh, offset, where, sizeof(where));
                return diag_list_add(c->diags, DIAG_ERROR, DIAG_KERNEL, &m->loc,
                                     "the kernel refused this rule: %s%s%s%s",
                                     strerror(-err->error), extack ? ": " : "", strempty(extack), where);
        case _NFT_MESSAGE_KIND_MAX:
        case _NFT_MESSAGE_KIND_INVALID:
                break;
        }
        return -EINVAL;
}

static void commit_on_echo(Commit *c, const struct nlmsghdr *nlh) {
        NftMessage *m = nft_batch_find_seq(c->batch, nlh->nlmsg_seq);
        const struct nlattr *a;
        uint16_t want;

        if (!m)
                return;
        if (m->kind == NFT_MESSAGE_NEW_RULE && NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWRULE)
                want = NFTA_RULE_HANDLE;
        else if (m->kind == NFT_MESSAGE_NEW_CHAIN && NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWCHAIN)
                want = NFTA_CHAIN_HANDLE;
        else
                return;
        /* Only the handle is wanted: no need to parse the expressions back. */
        mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
                if (mnl_attr_get_type(a) == want && mnl_attr_validate(a, MNL_TYPE_U64) >= 0) {
                        m->handle = be64toh(mnl_attr_get_u64(a));
                        if (want == NFTA_RULE_HANDLE)
                                c->n_echoes++;
                }
        }
}

/*
 * Reads without blocking until the queue is empty, handing every reply
 * of ours to @c, or dropping everything when @c is NULL. ENOBUFS means
 * replies were dropped, so what the kernel did is unknown; keep reading
 * to leave the socket clean.
 */
static int commit_drain(NftSocket *s, Commit *c) {
        int fd = mnl_socket_get_fd(s->nl), r;

        for (;;) {
                struct nlmsghdr *nlh;
                ssize_t n;
                int len;

                n = recv(fd, s->buf, RECV_BUFFER_SIZE, MSG_DONTWAIT | MSG_TRUNC);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        if (errno == ENOBUFS) {
                                if (c)
                                        c->lost = true;
                                continue;
                        }
                        return negative_errno();
                }
                if (!c)
                        continue;
                if ((size_t)n > RECV_BUFFER_SIZE) {
                        c->lost = true;
                        continue;
                }

                len = (int)n;
                for (nlh = (struct nlmsghdr *)s->buf; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
                        if (nlh->nlmsg_seq > c->seq_end || nlh->nlmsg_pid != s->portid)
                                continue; /* not ours */

                        if (nlh->nlmsg_type == NLMSG_ERROR) {
                                r = commit_on_error(c, nlh);
                                if (r < 0)
                                        return r;
                        } else if (NFNL_SUBSYS_ID(nlh->nlmsg_type) == NFNL_SUBSYS_NFTABLES &&
                                   (NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWRULE ||
                                    NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWCHAIN))
                                commit_on_echo(c, nlh);
                }
        }
}

/**
 * nft_socket_commit() - send a batch as one nf_tables transaction
 * @s: the socket
 * @b: the batch; with NFT_COMMIT_ECHO its rules' handles are set to what the kernel says
 * @flags: NFT_COMMIT_*
 * @genid: with NFT_COMMIT_GENID, the generation the batch was built against
 * @diags: where the kernel's refusals go, at the refused messages' locations
 * @ret_stats: sizes and timings, or NULL
 *
 * All of the batch or nothing: the kernel applies it only if it accepts
 * every message, and reports every message it refuses. The batch is sent
 * as it is, and can be sent again (after -ERESTART, say).
 *
 * @ret_stats is filled whenever the batch was sent, refused or not.
 *
 * Return: 0; -EINVAL when the kernel refused messages (diagnostics added);
 * -ERESTART when the ruleset is no longer at @genid (no diagnostics: build
 * again and retry); -ENOBUFS when replies were lost and the kernel's state
 * is unknown (resync by dumping); -EMSGSIZE when the batch, or with
 * NFT_COMMIT_ECHO its echoes, exceed what the socket's buffers can be
 * made to hold (without CAP_NET_ADMIN in the initial user namespace:
 * net.core.wmem_max and rmem_max), with nothing changed; another negative
 * errno otherwise (when the kernel refused the transaction as a whole,
 * with a diagnostic).
 */
int nft_socket_commit(NftSocket *s, NftBatch *b, unsigned flags, uint32_t genid,
                      DiagList *diags, NftCommitStats *ret_stats) {
        _cleanup_free_ struct iovec *iov = NULL;
        char begin[128] __attribute__((aligned(8))), end[64] __attribute__((aligned(8)));
        struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
        NftCommitStats stats = {};
        struct msghdr mh = {};
        struct nlmsghdr *nlh;
        uint64_t t0, t1, t2, t3;
        size_t n_iov = 0;
        Commit c;
        int r, rcvbuf = 0;

        t0 = now_usec();
        c = (Commit){
                .socket = s,
                .batch = b,
                .diags = diags,
                .seq_end = b->n_seqs + 1,
        };
        nft_batch_set_echo(b, flags & NFT_COMMIT_ECHO);

        iov = calloc(b->n_pages + 2, sizeof(struct iovec));
        if (!iov)
                return -ENOMEM;
        nlh = nftnl_batch_begin(begin, SEQ_BEGIN);
        if (flags & NFT_COMMIT_GENID)
                mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
        iov[n_iov++] = (struct iovec){ .iov_base = nlh, .iov_len = nlh->nlmsg_len };
        for (size_t i = 0; i < b->n_pages; i++)
                iov[n_iov++] = b->pages[i];
        if (!(flags & NFT_COMMIT_CHECK)) {
                nlh = nftnl_batch_end(end, c.seq_end);
                iov[n_iov++] = (struct iovec){ .iov_base = nlh, .iov_len = nlh->nlmsg_len };
        }
        for (size_t i = 0; i < n_iov; i++)
                stats.n_bytes += iov[i].iov_len;
        stats.n_pages = b->n_pages;
        stats.n_messages = (size_t)b->n_seqs + 1 + !(flags & NFT_COMMIT_CHECK);

        /* The kernel takes the batch as one skb, refused (EMSGSIZE) above the send buffer. */
        r = socket_grow_buffer(s, SO_SNDBUFFORCE, SO_SNDBUF, &s->sndbuf, stats.n_bytes + 65536, NULL);
        if (r < 0)
                return r;
        /*
         * Every reply is queued before we read one. Echoes lost to a small
         * buffer would leave a committed ruleset with unknown handles:
         * refuse before sending instead, so the caller can commit without
         * echo and dump.
         */
        r = socket_grow_buffer(s, SO_RCVBUFFORCE, SO_RCVBUF, &s->rcvbuf,
                               (uint64_t)stats.n_messages * RCVBUF_PER_MESSAGE + RCVBUF_BASE, &rcvbuf);
        if (r < 0)
                return r;
        if ((flags & NFT_COMMIT_ECHO) && !(flags & NFT_COMMIT_CHECK) &&
            (uint64_t)rcvbuf < (uint64_t)b->n_rules * RCVBUF_PER_ECHO)
                return -EMSGSIZE;
        /* What an earlier request left unread would be taken for this batch's replies. */
        r = commit_drain(s, NULL);
        if (r < 0)
                return r;

        mh = (struct msghdr){
                .msg_name = &snl,
                .msg_namelen = sizeof(snl),
                .msg_iov = iov,
                .msg_iovlen = n_iov,
        };
        t1 = now_usec();
        if (sendmsg(mnl_socket_get_fd(s->nl), &mh, 0) < 0)
                return negative_errno();
        t2 = now_usec();
        r = commit_drain(s, &c);
        t3 = now_usec();
        if (r < 0)
                return r;

        stats.n_errors = c.n_errors;
        stats.n_echoes = c.n_echoes;
        stats.build_usec = t1 - t0;
        stats.sendmsg_usec = t2 - t1;
        stats.drain_usec = t3 - t2;
        if (ret_stats)
                *ret_stats = stats;

        if (c.lost)
                return -ENOBUFS;
        if (c.restart)
                return -ERESTART;
        if (c.batch_error < 0)
                return c.batch_error;
        if (c.n_errors > 0)
                return -EINVAL;
        return 0;
}

/* ---- dumps ---- */

typedef struct NameList {
        const char *prefix;
        char **names;
        size_t n_names;
        size_t n_allocated;
} NameList;

static void name_list_deinit(NameList *l) {
        for (size_t i = 0; i < l->n_names; i++)
                free(l->names[i]);
        free(l->names);
        l->names = NULL;
        l->n_names = l->n_allocated = 0;
}

static int table_name_reply(const struct nlmsghdr *nlh, void *userdata) {
        _cleanup_(nftnl_table_freep) struct nftnl_table *t = NULL;
        NameList *l = userdata;
        const char *name;

        if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWTABLE)
                return 0;
        t = nftnl_table_alloc();
        if (!t)
                return -ENOMEM;
        if (nftnl_table_nlmsg_parse(nlh, t) < 0)
                return -EBADMSG;
        name = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
        if (!name || (l->prefix && strncmp(name, l->prefix, strlen(l->prefix)) != 0))
                return 0;

        /* One spare slot for the NULL that ends the list. */
        if (l->n_names + 2 > l->n_allocated) {
                size_t n = MAX(l->n_allocated * 2, (size_t)8);
                char **names = reallocarray(l->names, n, sizeof(char *));

                if (!names)
                        return -ENOMEM;
                l->names = names;
                l->n_allocated = n;
        }
        l->names[l->n_names] = strdup(name);
        if (!l->names[l->n_names])
                return -ENOMEM;
        l->n_names++;
        l->names[l->n_names] = NULL;
        return 0;
}

/**
 * nft_socket_list_tables() - the names of a family's tables
 * @s: the socket
 * @family: NFPROTO_IPV4, NFPROTO_IPV6, ...
 * @prefix: only names starting with it (NFT_TABLE_PREFIX: ours), or NULL for all
 * @ret_names: a NULL-terminated list in kernel order; free with nft_table_names_free()
 *
 * Return: 0, or a negative errno (-EAGAIN when commits kept interrupting the dump).
 */
int nft_socket_list_tables(NftSocket *s, int family, const char *prefix, char ***ret_names) {
        for (unsigned try = 0; try < DUMP_TRIES; try++) {
                char buf[REQUEST_SIZE] __attribute__((aligned(8)));
                NameList l = { .prefix = prefix };
                struct nlmsghdr *nlh;
                int r;

                nlh = request_new(s, buf, NFT_MSG_GETTABLE, family, NLM_F_DUMP);
                r = socket_request(s, nlh, table_name_reply, &l, NULL);
                if (r == -EINTR || r == -ENOBUFS) {
                        name_list_deinit(&l);
                        continue;
                }
                if (r < 0) {
                        name_list_deinit(&l);
                        return r;
                }
                if (!l.names) {
                        l.names = calloc(1, sizeof(char *));
                        if (!l.names)
                                return -ENOMEM;
                }
                *ret_names = TAKE_PTR(l.names);
                return 0;
        }
        return -EAGAIN;
}

/**
 * nft_table_names_free() - free a list from nft_socket_list_tables()
 * @names: the list, or NULL
 *
 * Return: NULL.
 */
char **nft_table_names_free(char **names) {
        if (!names)
                return NULL;
        for (char **n = names; *n; n++)
                free(*n);
        free(names);
        return NULL;
}

typedef struct DumpTarget {
        const char *table;
        NftTableDump *dump;
        struct nftnl_set *set;  /* GETSETELEM: the set its elements go into */
} DumpTarget;

static int table_reply(const struct nlmsghdr *nlh, void *userdata) {
        _cleanup_(nftnl_table_freep) struct nftnl_table *t = NULL;
        DumpTarget *d = userdata;

        if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWTABLE)
                return 0;
        t = nftnl_table_alloc();
        if (!t)
                return -ENOMEM;
        if (nftnl_table_nlmsg_parse(nlh, t) < 0)
                return -EBADMSG;
        if (!streq(strempty(nftnl_table_get_str(t, NFTNL_TABLE_NAME)), d->table))
                return 0;
        if (d->dump->table)
                nftnl_table_free(d->dump->table);
        d->dump->table = TAKE_PTR(t);
        return 0;
}

static int chain_reply(const struct nlmsghdr *nlh, void *userdata) {
        _cleanup_(nftnl_chain_freep) struct nftnl_chain *c = NULL;
        DumpTarget *d = userdata;

        if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWCHAIN)
                return 0;
        c = nftnl_chain_alloc();
        if (!c)
                return -ENOMEM;
        if (nftnl_chain_nlmsg_parse(nlh, c) < 0)
                return -EBADMSG;
        /* Chain dumps ignore the table in the request: every table's chains come back. */
        if (!streq(strempty(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE)), d->table))
                return 0;
        nftnl_chain_list_add_tail(TAKE_PTR(c), d->dump->chains);
        return 0;
}

static int set_reply(const struct nlmsghdr *nlh, void *userdata) {
        _cleanup_(nftnl_set_freep) struct nftnl_set *set = NULL;
        DumpTarget *d = userdata;

        if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWSET)
                return 0;
        set = nftnl_set_alloc();
        if (!set)
                return -ENOMEM;
        if (nftnl_set_nlmsg_parse(nlh, set) < 0)
                return -EBADMSG;
        if (!streq(strempty(nftnl_set_get_str(set, NFTNL_SET_TABLE)), d->table))
                return 0;
        nftnl_set_list_add_tail(TAKE_PTR(set), d->dump->sets);
        return 0;
}

static int set_elems_reply(const struct nlmsghdr *nlh, void *userdata) {
        DumpTarget *d = userdata;

        if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWSETELEM)
                return 0;
        /* Appends to the set's elements. */
        if (nftnl_set_elems_nlmsg_parse(nlh, d->set) < 0)
                return -EBADMSG;
        return 0;
}

static int rule_reply(const struct nlmsghdr *nlh, void *userdata) {
        _cleanup_(nftnl_rule_freep) struct nftnl_rule *rule = NULL;
        DumpTarget *d = userdata;

        if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWRULE)
                return 0;
        rule = nftnl_rule_alloc();
        if (!rule)
                return -ENOMEM;
        if (nftnl_rule_nlmsg_parse(nlh, rule) < 0)
                return -EBADMSG;
        if (!streq(strempty(nftnl_rule_get_str(rule, NFTNL_RULE_TABLE)), d->table))
                return 0;
        nftnl_rule_list_add_tail(TAKE_PTR(rule), d->dump->rules);
        return 0;
}

static int dump_table_once(NftSocket *s, int family, const char *table, NftTableDump *dump, DumpGen *gen) {
        _cleanup_(nftnl_set_list_iter_cleanup) struct nftnl_set_list_iter *iter = NULL;
        char buf[REQUEST_SIZE] __attribute__((aligned(8)));
        DumpTarget d = { .table = table, .dump = dump };
        struct nlmsghdr *nlh;
        struct nftnl_set *set;
        int r;

        dump->chains = nftnl_chain_list_alloc();
        dump->sets = nftnl_set_list_alloc();
        dump->rules = nftnl_rule_list_alloc();
        if (!dump->chains || !dump->sets || !dump->rules)
                return -ENOMEM;

        {
                _cleanup_(nftnl_table_freep) struct nftnl_table *t = nftnl_table_alloc();

                if (!t)
                        return -ENOMEM;
                nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
                nlh = request_new(s, buf, NFT_MSG_GETTABLE, family, NLM_F_ACK);
                nftnl_table_nlmsg_build_payload(nlh, t);
                r = socket_request(s, nlh, table_reply, &d, gen);
                if (r < 0)
                        return r;
                if (!dump->table)
                        return -ENOENT;
        }
        {
                _cleanup_(nftnl_chain_freep) struct nftnl_chain *c = nftnl_chain_alloc();

                if (!c)
                        return -ENOMEM;
                nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
                nlh = request_new(s, buf, NFT_MSG_GETCHAIN, family, NLM_F_DUMP);
                nftnl_chain_nlmsg_build_payload(nlh, c);
                r = socket_request(s, nlh, chain_reply, &d, gen);
                if (r < 0)
                        return r;
        }
        {
                _cleanup_(nftnl_set_freep) struct nftnl_set *q = nftnl_set_alloc();

                if (!q)
                        return -ENOMEM;
                nftnl_set_set_str(q, NFTNL_SET_TABLE, table);
                nlh = request_new(s, buf, NFT_MSG_GETSET, family, NLM_F_DUMP);
                nftnl_set_nlmsg_build_payload(nlh, q);
                r = socket_request(s, nlh, set_reply, &d, gen);
                if (r < 0)
                        return r;
        }

        iter = nftnl_set_list_iter_create(dump->sets);
        if (!iter)
                return -ENOMEM;
        for (set = nftnl_set_list_iter_next(iter); set; set = nftnl_set_list_iter_next(iter)) {
                _cleanup_(nftnl_set_freep) struct nftnl_set *q = nftnl_set_alloc();

                if (!q)
                        return -ENOMEM;
                nftnl_set_set_str(q, NFTNL_SET_TABLE, table);
                nftnl_set_set_str(q, NFTNL_SET_NAME, nftnl_set_get_str(set, NFTNL_SET_NAME));
                nlh = request_new(s, buf, NFT_MSG_GETSETELEM, family, NLM_F_DUMP);
                nftnl_set_elems_nlmsg_build_payload(nlh, q);
                d.set = set;
                r = socket_request(s, nlh, set_elems_reply, &d, gen);
                if (r < 0)
                        return r;
        }

        {
                _cleanup_(nftnl_rule_freep) struct nftnl_rule *q = nftnl_rule_alloc();

                if (!q)
                        return -ENOMEM;
                /* The kernel filters rule dumps by table. */
                nftnl_rule_set_str(q, NFTNL_RULE_TABLE, table);
                nlh = request_new(s, buf, NFT_MSG_GETRULE, family, NLM_F_DUMP);
                nftnl_rule_nlmsg_build_payload(nlh, q);
                r = socket_request(s, nlh, rule_reply, &d, gen);
                if (r < 0)
                        return r;
        }
        return 0;
}

/**
 * nft_socket_dump_table() - read one table back
 * @s: the socket
 * @family: NFPROTO_IPV4, NFPROTO_IPV6, ...
 * @table: its name
 * @ret: the table, its chains, its sets with their elements and its
 *       rules, in kernel order (chain by chain, each in rule order); free
 *       with nft_table_dump_deinit()
 *
 * The pieces come from several dumps; they are read again until all of
 * them saw the same generation, so that they fit together.
 *
 * Return: 0, -ENOENT when there is no such table, -EAGAIN when commits
 * kept interrupting, or another negative errno.
 */
int nft_socket_dump_table(NftSocket *s, int family, const char *table, NftTableDump *ret) {
        for (unsigned try = 0; try < DUMP_TRIES; try++) {
                NftTableDump dump = {};
                DumpGen gen = {};
                int r;

                r = dump_table_once(s, family, table, &dump, &gen);
                if (r == -EINTR || r == -ENOBUFS || (r == 0 && gen.changed)) {
                        nft_table_dump_deinit(&dump);
                        continue;
                }
                if (r < 0) {
                        nft_table_dump_deinit(&dump);
                        return r;
                }
                *ret = dump;
                return 0;
        }
        return -EAGAIN;
}

/* ---- generation events ---- */

/**
 * nft_socket_subscribe() - receive nf_tables events on this socket
 * @s: a socket used for nothing else
 * @rcvbuf: receive buffer to ask for, 0 for the default
 *
 * Every commit queues an event per object it touched, then NEWGEN, all
 * at once: a buffer too small for the largest commit loses events
 * (-ENOBUFS from nft_socket_read_generations()).
 *
 * Return: 0, or a negative errno.
 */
int nft_socket_subscribe(NftSocket *s, int rcvbuf) {
        unsigned group = NFNLGRP_NFTABLES;
        int r;

        if (mnl_socket_setsockopt(s->nl, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
                return negative_errno();
        if (rcvbuf > 0) {
                r = socket_grow_buffer(s, SO_RCVBUFFORCE, SO_RCVBUF, &s->rcvbuf, (uint64_t)rcvbuf, NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int gen_attr(const struct nlattr *a, void *userdata) {
        const struct nlattr **tb = userdata;

        if (mnl_attr_type_valid(a, NFTA_GEN_MAX) < 0)
                return MNL_CB_OK;
        if (mnl_attr_get_type(a) != NFTA_GEN_PROC_NAME && mnl_attr_validate(a, MNL_TYPE_U32) < 0)
                return MNL_CB_OK;
        tb[mnl_attr_get_type(a)] = a;
        return MNL_CB_OK;
}

/**
 * nft_socket_read_generations() - take the queued events of a subscribed socket
 * @s: the socket
 * @ret_genid: the newest generation seen (set only when the return is > 0)
 * @ret_foreign: whether a process other than this one committed any of
 *               them (set only when the return is > 0)
 *
 * Does not block. The kernel names the committing thread: commit from
 * the thread whose id is the process id.
 *
 * Return: the number of generations, 0 when none was queued, -ENOBUFS
 * when events were lost (resync), or another negative errno.
 */
int nft_socket_read_generations(NftSocket *s, uint32_t *ret_genid, bool *ret_foreign) {
        int fd = mnl_socket_get_fd(s->nl), count = 0;
        uint32_t self = (uint32_t)getpid(), genid = 0;
        bool lost = false, foreign = false;

        for (;;) {
                struct nlmsghdr *nlh;
                ssize_t n;
                int len;

                n = recv(fd, s->buf, RECV_BUFFER_SIZE, MSG_DONTWAIT | MSG_TRUNC);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                break;
                        if (errno == ENOBUFS) {
                                lost = true;
                                continue;
                        }
                        return negative_errno();
                }
                if ((size_t)n > RECV_BUFFER_SIZE) {
                        lost = true;
                        continue;
                }

                len = (int)n;
                for (nlh = (struct nlmsghdr *)s->buf; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
                        const struct nlattr *tb[NFTA_GEN_MAX + 1] = {};

                        if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
                            NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWGEN)
                                continue;
                        if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), gen_attr, tb) < 0 || !tb[NFTA_GEN_ID])
                                continue;
                        genid = ntohl(mnl_attr_get_u32(tb[NFTA_GEN_ID]));
                        if (!tb[NFTA_GEN_PROC_PID] || ntohl(mnl_attr_get_u32(tb[NFTA_GEN_PROC_PID])) != self) {
                                foreign = true;
                                s->foreign_genid = genid;
                                s->foreign_pid = tb[NFTA_GEN_PROC_PID] ? ntohl(mnl_attr_get_u32(tb[NFTA_GEN_PROC_PID])) : 0;
                                s->foreign_comm[0] = 0;
                                if (tb[NFTA_GEN_PROC_NAME])
                                        snprintf(s->foreign_comm, sizeof(s->foreign_comm), "%.*s",
                                                 (int)strnlen(mnl_attr_get_str(tb[NFTA_GEN_PROC_NAME]),
                                                              mnl_attr_get_payload_len(tb[NFTA_GEN_PROC_NAME])),
                                                 mnl_attr_get_str(tb[NFTA_GEN_PROC_NAME]));
                        }
                        count++;
                }
        }

        if (count > 0) {
                *ret_genid = genid;
                *ret_foreign = foreign;
        }
        /* what was read still counts: a foreign commit among the events that got through */
        return lost ? -ENOBUFS : count;
}

/**
 * nft_socket_get_foreign_origin() - who made the newest foreign generation
 * @s: a subscribed socket
 * @ret_genid: that generation, 0 when none was seen
 * @ret_pid: the committing thread's id, 0 when the kernel did not say
 * @ret_comm: its name (TASK_COMM_LEN bytes), "" when not said
 *
 * As seen by the reads of nft_socket_read_generations() so far.
 */
void nft_socket_get_foreign_origin(NftSocket *s, uint32_t *ret_genid, uint32_t *ret_pid, char ret_comm[static 16]) {
        *ret_genid = s->foreign_genid;
        *ret_pid = s->foreign_pid;
        memcpy(ret_comm, s->foreign_comm, 16);
}
