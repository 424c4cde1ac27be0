/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-nft-netlink: nft-netlink against the running kernel, each test in
 * a network namespace of its own (made in the forked test process, gone
 * with it). Batches are mostly built by hand with libnftnl, so this tests
 * the socket module alone: a commit with echo teaches the rule handles and
 * a dump gives back the same table; check mode and refused batches change
 * nothing and name the refused message's line (and expression, read in
 * the bytes sent); a stale genid gives -ERESTART; 50k rules go in one
 * transaction; a replace leaves other tables alone; big sets span several
 * element messages; generation events tell our commits from others'. And
 * the compiler's batch: every handle it predicts is the one the kernel
 * gives, over several tables with user chains and sets.
 *
 * Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN for unshare); exits 77 (skip)
 * without.
 */

#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/udata.h>

#include "nft-compile.h"
#include "nft-decompile.h"
#include "nft-edit.h"
#include "nft-netlink.h"
#include "ruleset-check.h"
#include "ruleset-parse.h"
#include "ruleset-print.h"

#define FAMILY NFPROTO_IPV4
#define TABLE "nfwall-test"
#define FILE_NAME "test.rules"
#define N_BIG 50000
#define N_BIG_SET 20000
#define N_DUMP_RACE 30000

/* ---- building batches by hand ---- */

/* Serialises the object into the batch, at this line of FILE_NAME, and frees it, as the compiler does. */
static void add(NftBatch *b, NftMessageKind kind, void *object, unsigned line) {
        SourceLoc loc = { .file = FILE_NAME, .line = line };

        switch (kind) {
        case NFT_MESSAGE_NEW_TABLE:
        case NFT_MESSAGE_DEL_TABLE:
                ck_assert_int_eq(nft_batch_add_table(b, kind, object, &loc), 0);
                nftnl_table_free(object);
                return;
        case NFT_MESSAGE_NEW_CHAIN:
                ck_assert_int_eq(nft_batch_add_chain(b, object, &loc, 0), 0);
                nftnl_chain_free(object);
                return;
        case NFT_MESSAGE_NEW_SET:
                ck_assert_int_eq(nft_batch_add_set(b, object, &loc, 0), 0);
                nftnl_set_free(object);
                return;
        case NFT_MESSAGE_NEW_RULE:
                ck_assert_int_eq(nft_batch_add_rule(b, object, &loc, 0), 0);
                nftnl_rule_free(object);
                return;
        case NFT_MESSAGE_NEW_OBJ:
                ck_assert_int_eq(nft_batch_add_obj(b, object, &loc, 0), 0);
                nftnl_obj_free(object);
                return;
        case NFT_MESSAGE_DEL_CHAIN:
        case NFT_MESSAGE_DEL_SET:
        case NFT_MESSAGE_DEL_RULE:
                /* made from names, not objects: tested with nft_batch_del_*() directly */
        case _NFT_MESSAGE_KIND_MAX:
        case _NFT_MESSAGE_KIND_INVALID:
                break;
        }
        ck_abort_msg("no such message kind: %d", kind);
}

static struct nftnl_table *nl_table_new(int family, const char *name) {
        struct nftnl_table *t = nftnl_table_alloc();

        ck_assert_ptr_nonnull(t);
        nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, family);
        nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
        return t;
}

static struct nftnl_chain *nl_chain_new(int family, const char *table, const char *name) {
        struct nftnl_chain *c = nftnl_chain_alloc();

        ck_assert_ptr_nonnull(c);
        nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, family);
        nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
        nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
        return c;
}

static struct nftnl_chain *nl_base_chain_new(int family, const char *table, const char *name) {
        struct nftnl_chain *c = nl_chain_new(family, table, name);

        nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_LOCAL_IN);
        nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
        nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
        nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
        nftnl_chain_set_u64(c, NFTNL_CHAIN_PACKETS, 0);
        nftnl_chain_set_u64(c, NFTNL_CHAIN_BYTES, 0);
        return c;
}

static void set_add_port(struct nftnl_set *s, uint16_t port, bool end) {
        struct nftnl_set_elem *e = nftnl_set_elem_alloc();
        uint16_t key = htons(port);

        ck_assert_ptr_nonnull(e);
        nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &key, sizeof(key));
        if (end)
                nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
        nftnl_set_elem_add(s, e);
}

/* Ports 22, 80-89, 443 as nft writes intervals: a start, and an end element one past. */
static struct nftnl_set *ports_set_new(void) {
        struct nftnl_set *s = nftnl_set_alloc();

        ck_assert_ptr_nonnull(s);
        nftnl_set_set_u32(s, NFTNL_SET_FAMILY, FAMILY);
        nftnl_set_set_str(s, NFTNL_SET_TABLE, TABLE);
        nftnl_set_set_str(s, NFTNL_SET_NAME, "ports");
        nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_INTERVAL);
        nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, 13); /* nft's inet_service */
        nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 2);
        nftnl_set_set_u32(s, NFTNL_SET_ID, 1);
        set_add_port(s, 22, false);
        set_add_port(s, 23, true);
        set_add_port(s, 80, false);
        set_add_port(s, 90, true);
        set_add_port(s, 443, false);
        set_add_port(s, 444, true);
        return s;
}

static struct nftnl_rule *nl_rule_new(int family, const char *table, const char *chain) {
        struct nftnl_rule *r = nftnl_rule_alloc();

        ck_assert_ptr_nonnull(r);
        nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, family);
        nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
        nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
        return r;
}

static struct nftnl_expr *expr_new(const char *name) {
        struct nftnl_expr *e = nftnl_expr_alloc(name);

        ck_assert_ptr_nonnull(e);
        return e;
}

static void add_l4proto_tcp(struct nftnl_rule *r) {
        struct nftnl_expr *e = expr_new("meta");
        uint8_t tcp = IPPROTO_TCP;

        nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
        nftnl_rule_add_expr(r, e);
        e = expr_new("cmp");
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
        nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &tcp, sizeof(tcp));
        nftnl_rule_add_expr(r, e);
}

static void add_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len) {
        struct nftnl_expr *e = expr_new("payload");

        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
        nftnl_rule_add_expr(r, e);
}

static void add_cmp(struct nftnl_rule *r, const void *data, uint32_t len) {
        struct nftnl_expr *e = expr_new("cmp");

        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
        nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
        nftnl_rule_add_expr(r, e);
}

static void add_dport(struct nftnl_rule *r, uint16_t port) {
        uint16_t p = htons(port);

        add_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
        add_cmp(r, &p, sizeof(p));
}

static void add_lookup(struct nftnl_rule *r, const char *set, uint32_t set_id) {
        struct nftnl_expr *e = expr_new("lookup");

        nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
        nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
        nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
        nftnl_rule_add_expr(r, e);
}

static void add_counter(struct nftnl_rule *r) {
        struct nftnl_expr *e = expr_new("counter");

        nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 0);
        nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, 0);
        nftnl_rule_add_expr(r, e);
}

static void add_verdict(struct nftnl_rule *r, int verdict, const char *chain) {
        struct nftnl_expr *e = expr_new("immediate");

        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
        if (chain)
                nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
        nftnl_rule_add_expr(r, e);
}

/*
 * The reference table, one object per line of an imaginary test.rules:
 *   1 table ip nfwall-test
 *   2 chain INPUT { type filter hook input priority 0; policy accept; } (counters)
 *   3 chain USER
 *   4 set ports { type inet_service; flags interval; elements = { 22, 80-89, 443 } }
 *   5 INPUT: meta l4proto tcp th dport 22 counter accept comment "ssh"
 *   6 INPUT: meta l4proto tcp th dport @ports counter drop
 *   7 INPUT: counter jump USER
 *   8 USER: counter return
 */
#define REF_RULES 4
static const char *const ref_rule_chains[REF_RULES] = { "INPUT", "INPUT", "INPUT", "USER" };

static void build_reference(NftBatch *b) {
        struct nftnl_rule *r;

        add(b, NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, TABLE), 1);
        add(b, NFT_MESSAGE_NEW_CHAIN, nl_base_chain_new(FAMILY, TABLE, "INPUT"), 2);
        add(b, NFT_MESSAGE_NEW_CHAIN, nl_chain_new(FAMILY, TABLE, "USER"), 3);
        add(b, NFT_MESSAGE_NEW_SET, ports_set_new(), 4);

        r = nl_rule_new(FAMILY, TABLE, "INPUT");
        add_l4proto_tcp(r);
        add_dport(r, 22);
        add_counter(r);
        add_verdict(r, NF_ACCEPT, NULL);
        {
                /* A comment, as nft and iptables write it: the userdata must survive the commit. */
                struct nftnl_udata_buf *u = nftnl_udata_buf_alloc(NFT_UDATA_MAX);

                ck_assert_ptr_nonnull(u);
                ck_assert(nftnl_udata_put_strz(u, NFT_UDATA_COMMENT, "ssh"));
                nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(u), nftnl_udata_buf_len(u));
                nftnl_udata_buf_free(u);
        }
        add(b, NFT_MESSAGE_NEW_RULE, r, 5);

        r = nl_rule_new(FAMILY, TABLE, "INPUT");
        add_l4proto_tcp(r);
        add_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
        add_lookup(r, "ports", 1);
        add_counter(r);
        add_verdict(r, NF_DROP, NULL);
        add(b, NFT_MESSAGE_NEW_RULE, r, 6);

        r = nl_rule_new(FAMILY, TABLE, "INPUT");
        add_counter(r);
        add_verdict(r, NFT_JUMP, "USER");
        add(b, NFT_MESSAGE_NEW_RULE, r, 7);

        r = nl_rule_new(FAMILY, TABLE, "USER");
        add_counter(r);
        add_verdict(r, NFT_RETURN, NULL);
        add(b, NFT_MESSAGE_NEW_RULE, r, 8);
}

/* Commits a batch that must go through; returns the rule handles learned, in batch order. */
static size_t commit_ok(NftSocket *s, NftBatch *b, uint64_t *handles, size_t max) {
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        NftCommitStats stats = {};
        size_t n = 0;
        int r;

        r = nft_socket_commit(s, b, NFT_COMMIT_ECHO, 0, &diags, &stats);
        if (r < 0)
                diag_list_print(&diags, stderr);
        ck_assert_int_eq(r, 0);
        ck_assert_uint_eq(diags.n_items, 0);
        ck_assert_uint_eq(stats.n_echoes, b->n_rules);
        for (size_t i = 0; i < b->n_messages; i++)
                if (b->messages[i].kind == NFT_MESSAGE_NEW_RULE) {
                        ck_assert_uint_lt(n, max);
                        handles[n++] = b->messages[i].handle;
                }
        return n;
}

static void load_reference(NftSocket *s, uint64_t handles[REF_RULES]) {
        _cleanup_(nft_batch_deinit) NftBatch b = NFT_BATCH_INIT;

        build_reference(&b);
        ck_assert_uint_eq(commit_ok(s, &b, handles, REF_RULES), REF_RULES);
}

/* Dumps a table and checks its rules: count, chains (when given) and handles. */
static void assert_rules(NftSocket *s, int family, const char *table, size_t n,
                         const char *const *chains, const uint64_t *handles) {
        _cleanup_(nft_table_dump_deinit) NftTableDump d = {};
        struct nftnl_rule_list_iter *it;
        struct nftnl_rule *r;
        size_t i = 0;

        ck_assert_int_eq(nft_socket_dump_table(s, family, table, &d), 0);
        it = nftnl_rule_list_iter_create(d.rules);
        ck_assert_ptr_nonnull(it);
        for (r = nftnl_rule_list_iter_next(it); r; r = nftnl_rule_list_iter_next(it), i++) {
                ck_assert_uint_lt(i, n);
                if (chains)
                        ck_assert_str_eq(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), chains[i]);
                if (handles)
                        ck_assert_uint_eq(nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE), handles[i]);
        }
        nftnl_rule_list_iter_destroy(it);
        ck_assert_uint_eq(i, n);
}

static void assert_tables(NftSocket *s, const char *const *expected, size_t n) {
        _cleanup_(nft_table_names_freep) char **names = NULL;
        size_t i = 0;

        ck_assert_int_eq(nft_socket_list_tables(s, FAMILY, NFT_TABLE_PREFIX, &names), 0);
        ck_assert_ptr_nonnull(names);
        for (; names[i]; i++) {
                ck_assert_uint_lt(i, n);
                ck_assert_str_eq(names[i], expected[i]);
        }
        ck_assert_uint_eq(i, n);
}

static NftSocket *socket_new(void) {
        NftSocket *s = NULL;

        ck_assert_int_eq(nft_socket_open(&s), 0);
        return s;
}

/*
 * Without CAP_NET_ADMIN in the initial user namespace (root in a user
 * namespace) socket buffers stay under net.core.[rw]mem_max: big batches
 * cannot go in one transaction.
 */
static bool can_force_buffers(void) {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), size = 1 << 20;
        bool ok;

        ck_assert_int_ge(fd, 0);
        ok = setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) == 0;
        close(fd);
        return ok;
}

/* Each test gets a network namespace of its own: check forks every test, the fixture runs in the child. */
static void netns_setup(void) {
        ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
}

/* ---- tests ---- */

static int comment_cb(const struct nftnl_udata *attr, void *userdata) {
        if (nftnl_udata_type(attr) == NFT_UDATA_COMMENT)
                *(const char **)userdata = nftnl_udata_get(attr);
        return 0;
}

static int uint32_compare(const void *a, const void *b) {
        return (int)*(const uint32_t *)a - (int)*(const uint32_t *)b;
}

START_TEST(test_commit_echo_dump) {
        _cleanup_(nft_socket_freep) NftSocket *s = socket_new();
        _cleanup_(nft_table_dump_deinit) NftTableDump d = {};
        _cleanup_(nft_batch_deinit) NftBatch other = NFT_BATCH_INIT;
        uint64_t handles[REF_RULES], h[1];
        struct nftnl_chain_list_iter *ci;
        struct nftnl_set_list_iter *si;
        struct nftnl_set_elems_iter *ei;
        struct nftnl_chain *c;
        struct nftnl_set *set;
        struct nftnl_set_elem *e;
        static const char *const ours[] = { TABLE };
        /* key << 1 | end flag, sorted */
        static const uint32_t expected_elems[] = { 22 << 1, 23 << 1 | 1, 80 << 1, 90 << 1 | 1, 443 << 1, 444 << 1 | 1 };
        uint32_t elems[16];
        size_t n_elems = 0;

        /* Someone else's table in the same family: not ours, not listed. */
        add(&other, NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, "filter"), 1);
        add(&other, NFT_MESSAGE_NEW_CHAIN, nl_chain_new(FAMILY, "filter", "INPUT"), 2);
        {
                struct nftnl_rule *r = nl_rule_new(FAMILY, "filter", "INPUT");

                add_counter(r);
                add(&other, NFT_MESSAGE_NEW_RULE, r, 3);
        }
        ck_assert_uint_eq(commit_ok(s, &other, h, 1), 1);

        load_reference(s, handles);
        for (size_t i = 0; i < REF_RULES; i++) {
                ck_assert_uint_gt(handles[i], 0);
                if (i > 0)
                        ck_assert_uint_gt(handles[i], handles[i - 1]);
        }

        assert_tables(s, ours, 1);

        ck_assert_int_eq(nft_socket_dump_table(s, FAMILY, TABLE, &d), 0);
        ck_assert_str_eq(nftnl_table_get_str(d.table, NFTNL_TABLE_NAME), TABLE);

        /* Chains: ours only, though the kernel sent filter's INPUT too; in creation order. */
        ci = nftnl_chain_list_iter_create(d.chains);
        c = nftnl_chain_list_iter_next(ci);
        ck_assert_ptr_nonnull(c);
        ck_assert_str_eq(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME), "INPUT");
        ck_assert_str_eq(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), TABLE);
        ck_assert_uint_eq(nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM), NF_INET_LOCAL_IN);
        ck_assert_int_eq(nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO), 0);
        ck_assert_uint_eq(nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY), NF_ACCEPT);
        ck_assert(nftnl_chain_is_set(c, NFTNL_CHAIN_PACKETS));
        c = nftnl_chain_list_iter_next(ci);
        ck_assert_ptr_nonnull(c);
        ck_assert_str_eq(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME), "USER");
        ck_assert(!nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM));
        ck_assert_ptr_null(nftnl_chain_list_iter_next(ci));
        nftnl_chain_list_iter_destroy(ci);

        /* The set, with its elements. */
        si = nftnl_set_list_iter_create(d.sets);
        set = nftnl_set_list_iter_next(si);
        ck_assert_ptr_nonnull(set);
        ck_assert_str_eq(nftnl_set_get_str(set, NFTNL_SET_NAME), "ports");
        ck_assert_uint_eq(nftnl_set_get_u32(set, NFTNL_SET_KEY_LEN), 2);
        ck_assert(nftnl_set_get_u32(set, NFTNL_SET_FLAGS) & NFT_SET_INTERVAL);
        ei = nftnl_set_elems_iter_create(set);
        ck_assert_ptr_nonnull(ei);
        for (e = nftnl_set_elems_iter_next(ei); e; e = nftnl_set_elems_iter_next(ei)) {
                uint32_t len, flags = 0;
                const uint16_t *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);

                ck_assert_ptr_nonnull(key);
                ck_assert_uint_eq(len, 2);
                if (nftnl_set_elem_get(e, NFTNL_SET_ELEM_FLAGS, &len))
                        flags = nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS);
                ck_assert_uint_lt(n_elems, ELEMENTSOF(elems));
                elems[n_elems++] = (uint32_t)ntohs(*key) << 1 | !!(flags & NFT_SET_ELEM_INTERVAL_END);
        }
        nftnl_set_elems_iter_destroy(ei);
        ck_assert_ptr_null(nftnl_set_list_iter_next(si));
        nftnl_set_list_iter_destroy(si);
        qsort(elems, n_elems, sizeof(uint32_t), uint32_compare);
        ck_assert_uint_eq(n_elems, ELEMENTSOF(expected_elems));
        ck_assert_mem_eq(elems, expected_elems, sizeof(expected_elems));

        /* The rules, in kernel order, with the handles the echo taught. */
        assert_rules(s, FAMILY, TABLE, REF_RULES, ref_rule_chains, handles);
        {
                struct nftnl_rule_list_iter *it = nftnl_rule_list_iter_create(d.rules);
                struct nftnl_rule *r = nftnl_rule_list_iter_next(it);
                const char *comment = NULL;
                const void *data;
                uint32_t len;

                ck_assert_ptr_nonnull(r);
                data = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
                ck_assert_ptr_nonnull(data);
                ck_assert_int_ge(nftnl_udata_parse(data, len, comment_cb, &comment), 0);
                ck_assert_str_eq(comment, "ssh");
                ck_assert(!nftnl_rule_is_set(nftnl_rule_list_iter_next(it), NFTNL_RULE_USERDATA));
                nftnl_rule_list_iter_destroy(it);
        }

        /* And there is no such table. */
        {
                NftTableDump none = {};

                ck_assert_int_eq(nft_socket_dump_table(s, FAMILY, "nfwall-none", &none), -ENOENT);
                nft_table_dump_deinit(&none);
        }
}
END_TEST

/* A rule jumping to a chain that does not exist: ENOENT, blamed on the immediate. */
static struct nftnl_rule *bad_jump_rule_new(void) {
        struct nftnl_rule *r = nl_rule_new(FAMILY, TABLE, "INPUT");

        add_dport(r, 25);       /* payload, cmp */
        add_counter(r);
        add_verdict(r, NFT_JUMP, "MISSING"); /* expression #4 */
        return r;
}

START_TEST(test_check_mode) {
        _cleanup_(nft_socket_freep) NftSocket *s = socket_new();
        _cleanup_(nft_batch_deinit) NftBatch bad = NFT_BATCH_INIT;
        _cleanup_(nft_batch_deinit) NftBatch good = NFT_BATCH_INIT;
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        static const char *const ours[] = { TABLE };
        uint64_t handles[REF_RULES];
        uint32_t genid, genid_after;
        const Diag *dg;

        load_reference(s, handles);
        ck_assert_int_eq(nft_socket_get_genid(s, &genid), 0);

        /* A refused batch in check mode: one diagnostic at its line, nothing changed. */
        add(&bad, NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, "nfwall-check"), 40);
        add(&bad, NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, TABLE), 41);
        add(&bad, NFT_MESSAGE_NEW_RULE, bad_jump_rule_new(), 42);
        {
                /* Blame lands inside the rule too: a lookup in a set that does not exist. */
                struct nftnl_rule *r = nl_rule_new(FAMILY, TABLE, "INPUT");
                struct nftnl_chain *c = nl_base_chain_new(FAMILY, TABLE, "BAD");

                add_l4proto_tcp(r);
                add_lookup(r, "missing", 99); /* expression #3 */
                add_counter(r);
                add_verdict(r, NF_ACCEPT, NULL);
                add(&bad, NFT_MESSAGE_NEW_RULE, r, 43);
                nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "nosuchtype");
                add(&bad, NFT_MESSAGE_NEW_CHAIN, c, 44);
        }
        ck_assert_int_eq(nft_socket_commit(s, &bad, NFT_COMMIT_CHECK | NFT_COMMIT_ECHO, 0, &diags, NULL), -EINVAL);
        ck_assert_uint_eq(diags.n_items, 3);
        dg = &diags.items[0];
        ck_assert_str_eq(dg->file, FILE_NAME);
        ck_assert_uint_eq(dg->line, 42);
        ck_assert_int_eq(dg->level, DIAG_ERROR);
        ck_assert_int_eq(dg->code, DIAG_KERNEL);
        ck_assert_str_eq(dg->message,
                         "the kernel refused this rule: No such file or directory, in expression #4 (immediate)");
        ck_assert_uint_eq(diags.items[1].line, 43);
        ck_assert_str_eq(diags.items[1].message,
                         "the kernel refused this rule: No such file or directory, in expression #3 (lookup)");
        ck_assert_uint_eq(diags.items[2].line, 44);
        ck_assert_str_eq(diags.items[2].message, "the kernel refused chain BAD: No such file or directory");
        ck_assert_uint_eq(bad.messages[2].handle, 0);

        assert_tables(s, ours, 1);
        assert_rules(s, FAMILY, TABLE, REF_RULES, ref_rule_chains, handles);

        /* A good batch in check mode: accepted, and still nothing changed. */
        diag_list_clear(&diags);
        add(&good, NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, "nfwall-check"), 50);
        add(&good, NFT_MESSAGE_NEW_CHAIN, nl_base_chain_new(FAMILY, "nfwall-check", "INPUT"), 51);
        {
                struct nftnl_rule *r = nl_rule_new(FAMILY, "nfwall-check", "INPUT");

                add_counter(r);
                add(&good, NFT_MESSAGE_NEW_RULE, r, 52);
        }
        ck_assert_int_eq(nft_socket_commit(s, &good, NFT_COMMIT_CHECK | NFT_COMMIT_ECHO, 0, &diags, NULL), 0);
        ck_assert_uint_eq(diags.n_items, 0);
        ck_assert_uint_eq(good.messages[2].handle, 0);
        assert_tables(s, ours, 1);
        assert_rules(s, FAMILY, TABLE, REF_RULES, ref_rule_chains, handles);

        /* Aborted transactions leave the generation alone. */
        ck_assert_int_eq(nft_socket_get_genid(s, &genid_after), 0);
        ck_assert_uint_eq(genid_after, genid);
}
END_TEST

/* The replace the compiler emits: create-if-missing, delete, create, then the content. */
static void build_replace_head(NftBatch *b) {
        add(b, NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, TABLE), 1);
        add(b, NFT_MESSAGE_DEL_TABLE, nl_table_new(FAMILY, TABLE), 1);
        add(b, NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, TABLE), 1);
        add(b, NFT_MESSAGE_NEW_CHAIN, nl_base_chain_new(FAMILY, TABLE, "INPUT"), 2);
        add(b, NFT_MESSAGE_NEW_CHAIN, nl_chain_new(FAMILY, TABLE, "USER"), 3);
}

/* Rules at lines 10, 11 (jumps nowhere), 12. */
static void build_bad_replace(NftBatch *b) {
        struct nftnl_rule *r;

        build_replace_head(b);
        r = nl_rule_new(FAMILY, TABLE, "INPUT");
        add_dport(r, 22);
        add_counter(r);
        add_verdict(r, NF_ACCEPT, NULL);
        add(b, NFT_MESSAGE_NEW_RULE, r, 10);
        add(b, NFT_MESSAGE_NEW_RULE, bad_jump_rule_new(), 11);
        r = nl_rule_new(FAMILY, TABLE, "INPUT");
        add_counter(r);
        add_verdict(r, NFT_JUMP, "USER");
        add(b, NFT_MESSAGE_NEW_RULE, r, 12);
}

START_TEST(test_bad_jump) {
        _cleanup_(nft_socket_freep) NftSocket *s = socket_new();
        _cleanup_(nft_batch_deinit) NftBatch b = NFT_BATCH_INIT;
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        uint64_t handles[REF_RULES];
        NftCommitStats stats = {};

        load_reference(s, handles);

        build_bad_replace(&b);
        ck_assert_int_eq(nft_socket_commit(s, &b, NFT_COMMIT_ECHO, 0, &diags, &stats), -EINVAL);
        ck_assert_uint_eq(diags.n_items, 1);
        ck_assert_uint_eq(stats.n_errors, 1);
        ck_assert_uint_eq(stats.n_echoes, 0);
        ck_assert_str_eq(diags.items[0].file, FILE_NAME);
        ck_assert_uint_eq(diags.items[0].line, 11);
        ck_assert_ptr_nonnull(strstr(diags.items[0].message, "expression #4 (immediate)"));
        for (size_t i = 0; i < b.n_messages; i++)
                ck_assert_uint_eq(b.messages[i].handle, 0);

        /* All or nothing: the old table, with its old rules, is still there. */
        assert_rules(s, FAMILY, TABLE, REF_RULES, ref_rule_chains, handles);
}
END_TEST

START_TEST(test_restart) {
        _cleanup_(nft_socket_freep) NftSocket *s = socket_new();
        _cleanup_(nft_batch_deinit) NftBatch bad = NFT_BATCH_INIT;
        _cleanup_(nft_batch_deinit) NftBatch good = NFT_BATCH_INIT;
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        static const char *const ours[] = { TABLE };
        uint64_t handles[REF_RULES];
        uint32_t genid, genid_after;

        load_reference(s, handles);
        ck_assert_int_eq(nft_socket_get_genid(s, &genid), 0);

        /* The bad batch against a stale generation: refused as a whole, before any message is looked at. */
        build_bad_replace(&bad);
        ck_assert_int_eq(nft_socket_commit(s, &bad, NFT_COMMIT_GENID, genid - 1, &diags, NULL), -ERESTART);
        ck_assert_uint_eq(diags.n_items, 0);
        assert_rules(s, FAMILY, TABLE, REF_RULES, ref_rule_chains, handles);

        /* A good one against a stale generation: refused too. */
        build_replace_head(&good);
        {
                struct nftnl_rule *r = nl_rule_new(FAMILY, TABLE, "INPUT");

                add_counter(r);
                add_verdict(r, NF_DROP, NULL);
                add(&good, NFT_MESSAGE_NEW_RULE, r, 20);
        }
        ck_assert_int_eq(nft_socket_commit(s, &good, NFT_COMMIT_GENID | NFT_COMMIT_ECHO, genid + 7, &diags, NULL),
                         -ERESTART);
        ck_assert_uint_eq(diags.n_items, 0);
        assert_rules(s, FAMILY, TABLE, REF_RULES, ref_rule_chains, handles);

        /* Against the current one: committed, and the generation moved by exactly one. */
        ck_assert_int_eq(nft_socket_commit(s, &good, NFT_COMMIT_GENID | NFT_COMMIT_ECHO, genid, &diags, NULL), 0);
        ck_assert_uint_eq(diags.n_items, 0);
        ck_assert_int_eq(nft_socket_get_genid(s, &genid_after), 0);
        ck_assert_uint_eq(genid_after, genid + 1);
        assert_tables(s, ours, 1);
        {
                static const char *const chains[] = { "INPUT" };
                uint64_t h = good.messages[good.n_messages - 1].handle;

                ck_assert_uint_gt(h, 0);
                assert_rules(s, FAMILY, TABLE, 1, chains, &h);
        }
}
END_TEST

START_TEST(test_big) {
        _cleanup_(nft_socket_freep) NftSocket *s = socket_new();
        _cleanup_(nft_batch_deinit) NftBatch b = NFT_BATCH_INIT;
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        _cleanup_free_ uint64_t *handles = NULL;
        NftCommitStats stats = {};
        size_t n = 0;
        int r;

        add(&b, NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, TABLE), 1);
        add(&b, NFT_MESSAGE_NEW_CHAIN, nl_base_chain_new(FAMILY, TABLE, "INPUT"), 2);
        /* ip saddr 10.x.y.z tcp dport P counter accept */
        for (unsigned i = 0; i < N_BIG; i++) {
                struct nftnl_rule *rule = nl_rule_new(FAMILY, TABLE, "INPUT");
                uint32_t saddr = htonl(0x0a000000u | (i + 1));

                add_l4proto_tcp(rule);
                add_payload(rule, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
                add_cmp(rule, &saddr, sizeof(saddr));
                add_dport(rule, (uint16_t)(1 + i % 65000));
                add_counter(rule);
                add_verdict(rule, NF_ACCEPT, NULL);
                add(&b, NFT_MESSAGE_NEW_RULE, rule, 3 + i);
        }

        r = nft_socket_commit(s, &b, NFT_COMMIT_ECHO, 0, &diags, &stats);
        if (!can_force_buffers()) {
                /* Refused before sending, nothing changed. */
                printf("# cannot force socket buffers here: %u rules are too many for one transaction\n", N_BIG);
                ck_assert_int_eq(r, -EMSGSIZE);
                ck_assert_uint_eq(diags.n_items, 0);
                assert_tables(s, NULL, 0);
                return;
        }
        ck_assert_int_eq(r, 0);
        printf("# %u rules in one transaction: %zu messages, %llu bytes in %zu pages; "
               "build %.3f s, sendmsg (commit) %.3f s, drain %.3f s, %zu echoes\n",
               N_BIG, stats.n_messages, (unsigned long long)stats.n_bytes, stats.n_pages,
               stats.build_usec / 1e6, stats.sendmsg_usec / 1e6, stats.drain_usec / 1e6, stats.n_echoes);
        ck_assert_uint_eq(stats.n_messages, N_BIG + 4);
        ck_assert_uint_gt(stats.n_pages, 1);
        ck_assert_uint_eq(stats.n_echoes, N_BIG);

        handles = calloc(N_BIG, sizeof(uint64_t));
        ck_assert_ptr_nonnull(handles);
        for (size_t i = 0; i < b.n_messages; i++)
                if (b.messages[i].kind == NFT_MESSAGE_NEW_RULE) {
                        handles[n] = b.messages[i].handle;
                        ck_assert_uint_gt(handles[n], n > 0 ? handles[n - 1] : 0);
                        n++;
                }
        ck_assert_uint_eq(n, N_BIG);

        {
                uint64_t t0, t1;
                struct timespec ts;

                clock_gettime(CLOCK_MONOTONIC, &ts);
                t0 = (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
                assert_rules(s, FAMILY, TABLE, N_BIG, NULL, handles);
                clock_gettime(CLOCK_MONOTONIC, &ts);
                t1 = (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
                printf("# dump of %u rules: %.3f s\n", N_BIG, (t1 - t0) / 1e6);
        }
}
END_TEST

/* Dumps read again when a commit interrupts them: the result is whole and consistent. */
START_TEST(test_dump_during_commits) {
        _cleanup_(nft_socket_freep) NftSocket *s = socket_new();
        _cleanup_(nft_batch_deinit) NftBatch b = NFT_BATCH_INIT;
        _cleanup_free_ uint64_t *handles = NULL;
        size_t n;
        pid_t pid;
        int status;

        if (!can_force_buffers()) {
                printf("# cannot force socket buffers here: skipping the dump race\n");
                return;
        }
        add(&b, NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, TABLE), 1);
        add(&b, NFT_MESSAGE_NEW_CHAIN, nl_base_chain_new(FAMILY, TABLE, "INPUT"), 2);
        for (unsigned i = 0; i < N_DUMP_RACE; i++) {
                struct nftnl_rule *rule = nl_rule_new(FAMILY, TABLE, "INPUT");

                add_dport(rule, (uint16_t)(1 + i % 65000));
                add_counter(rule);
                add_verdict(rule, NF_ACCEPT, NULL);
                add(&b, NFT_MESSAGE_NEW_RULE, rule, 3 + i);
        }
        handles = calloc(N_DUMP_RACE, sizeof(uint64_t));
        ck_assert_ptr_nonnull(handles);
        n = commit_ok(s, &b, handles, N_DUMP_RACE);
        ck_assert_uint_eq(n, N_DUMP_RACE);

        /* A child commits to another table a few times while we dump; then stops, so a retry wins. */
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                NftSocket *cs = NULL;

                if (nft_socket_open(&cs) < 0)
                        _exit(1);
                for (unsigned i = 0; i < 5; i++) {
                        NftBatch cb = NFT_BATCH_INIT;
                        DiagList diags = DIAG_LIST_INIT;

                        usleep(30 * 1000);
                        add(&cb, i % 2 ? NFT_MESSAGE_DEL_TABLE : NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, "elsewhere"), 1);
                        if (nft_socket_commit(cs, &cb, 0, 0, &diags, NULL) < 0)
                                _exit(1);
                }
                _exit(0);
        }
        assert_rules(s, FAMILY, TABLE, N_DUMP_RACE, NULL, handles);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

START_TEST(test_replace_keeps_others) {
        _cleanup_(nft_socket_freep) NftSocket *s = socket_new();
        _cleanup_(nft_batch_deinit) NftBatch other = NFT_BATCH_INIT;
        _cleanup_(nft_batch_deinit) NftBatch first = NFT_BATCH_INIT;
        _cleanup_(nft_batch_deinit) NftBatch second = NFT_BATCH_INIT;
        static const char *const other_chains[] = { "forward" };
        static const char *const chains[] = { "INPUT", "INPUT" };
        uint64_t other_handle, first_handles[1], second_handles[2];
        struct nftnl_chain *c;
        struct nftnl_rule *r;

        /* table inet other { chain forward { type filter hook forward priority 0; counter drop } } */
        add(&other, NFT_MESSAGE_NEW_TABLE, nl_table_new(NFPROTO_INET, "other"), 1);
        c = nl_chain_new(NFPROTO_INET, "other", "forward");
        nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_FORWARD);
        nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
        nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
        add(&other, NFT_MESSAGE_NEW_CHAIN, c, 2);
        r = nl_rule_new(NFPROTO_INET, "other", "forward");
        add_counter(r);
        add_verdict(r, NF_DROP, NULL);
        add(&other, NFT_MESSAGE_NEW_RULE, r, 3);
        ck_assert_uint_eq(commit_ok(s, &other, &other_handle, 1), 1);

        /* The replace of a table that does not exist yet: NEW_TABLE first, so DEL_TABLE finds it. */
        add(&first, NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, TABLE), 1);
        add(&first, NFT_MESSAGE_DEL_TABLE, nl_table_new(FAMILY, TABLE), 1);
        add(&first, NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, TABLE), 1);
        add(&first, NFT_MESSAGE_NEW_CHAIN, nl_base_chain_new(FAMILY, TABLE, "INPUT"), 2);
        r = nl_rule_new(FAMILY, TABLE, "INPUT");
        add_counter(r);
        add_verdict(r, NF_ACCEPT, NULL);
        add(&first, NFT_MESSAGE_NEW_RULE, r, 3);
        ck_assert_uint_eq(commit_ok(s, &first, first_handles, 1), 1);
        assert_rules(s, FAMILY, TABLE, 1, chains, first_handles);

        /* Replace it with other content: old rules gone, new ones in. */
        add(&second, NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, TABLE), 1);
        add(&second, NFT_MESSAGE_DEL_TABLE, nl_table_new(FAMILY, TABLE), 1);
        add(&second, NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, TABLE), 1);
        add(&second, NFT_MESSAGE_NEW_CHAIN, nl_base_chain_new(FAMILY, TABLE, "INPUT"), 2);
        r = nl_rule_new(FAMILY, TABLE, "INPUT");
        add_dport(r, 22);
        add_counter(r);
        add_verdict(r, NF_ACCEPT, NULL);
        add(&second, NFT_MESSAGE_NEW_RULE, r, 3);
        r = nl_rule_new(FAMILY, TABLE, "INPUT");
        add_counter(r);
        add_verdict(r, NF_DROP, NULL);
        add(&second, NFT_MESSAGE_NEW_RULE, r, 4);
        ck_assert_uint_eq(commit_ok(s, &second, second_handles, 2), 2);
        assert_rules(s, FAMILY, TABLE, 2, chains, second_handles);

        /* The other table: untouched, the same rule with the same handle. */
        assert_rules(s, NFPROTO_INET, "other", 1, other_chains, &other_handle);
}
END_TEST

/* The batch's DEL_TABLE messages, as "family:name" words in order. */
static void batch_deleted_tables(const NftBatch *b, char *ret, size_t size) {
        size_t n = 0;

        ret[0] = 0;
        for (size_t i = 0; i < b->n_messages; i++) {
                const struct nlmsghdr *nlh = b->messages[i].nlh;
                struct nftnl_table *t;

                if (b->messages[i].kind != NFT_MESSAGE_DEL_TABLE)
                        continue;
                t = nftnl_table_alloc();
                ck_assert_ptr_nonnull(t);
                ck_assert_int_eq(nftnl_table_nlmsg_parse(nlh, t), 0);
                n += (size_t)snprintf(ret + n, size - n, "%s%u:%s", n ? " " : "",
                                      nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY), nftnl_table_get_str(t, NFTNL_TABLE_NAME));
                nftnl_table_free(t);
        }
}

/* Our tables of the family, "name name ..." in kernel order. */
static void listed_tables(NftSocket *s, int family, char *ret, size_t size) {
        _cleanup_(nft_table_names_freep) char **names = NULL;
        size_t n = 0;

        ret[0] = 0;
        ck_assert_int_eq(nft_socket_list_tables(s, family, NFT_TABLE_PREFIX, &names), 0);
        for (char **p = names; *p; p++)
                n += (size_t)snprintf(ret + n, size - n, "%s%s", n ? " " : "", *p);
}

/*
 * A load that knows which of our tables the kernel holds deletes just
 * those (none in a new namespace), at the generation it read them; a
 * commit between makes the kernel refuse it whole.
 */
START_TEST(test_present_tables) {
        static const char both[] = "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n*mangle\n-A OUTPUT -j ACCEPT\nCOMMIT\n";
        static const char filter[] = "*filter\n-A INPUT -j DROP\nCOMMIT\n";
        _cleanup_(nft_socket_freep) NftSocket *s = socket_new();
        _cleanup_(ruleset_freep) Ruleset *a = NULL, *b = NULL;
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        char deleted[256], listed[256];

        ck_assert_int_eq(ruleset_parse_string(both, strlen(both), FILE_NAME, FAMILY_IPV4, &diags, &a), 0);
        ck_assert_int_eq(ruleset_parse_string(filter, strlen(filter), FILE_NAME, FAMILY_IPV4, &diags, &b), 0);

        for (unsigned step = 0; step < 3; step++) {
                _cleanup_(nft_batch_deinit) NftBatch batch = NFT_BATCH_INIT;
                _cleanup_(nft_table_names_freep) char **names = NULL;
                NftPresentTables present = {};
                uint32_t genid;

                ck_assert_int_eq(nft_socket_get_genid(s, &genid), 0);
                ck_assert_int_eq(nft_socket_list_tables(s, NFPROTO_IPV4, NFT_TABLE_PREFIX, &names), 0);
                nft_present_tables_add(&present, FAMILY_IPV4, names);
                ck_assert_int_eq(nft_compile_ruleset_keep(step == 0 ? a : b, FAMILY_BIT(FAMILY_IPV4), &present, &batch,
                                                          &diags, NULL),
                                 0);
                batch_deleted_tables(&batch, deleted, sizeof(deleted));
                if (step == 0) {
                        /* a new namespace: nothing to delete, nothing made only to be freed */
                        ck_assert_str_eq(deleted, "");
                        ck_assert_int_eq(nft_socket_commit(s, &batch, NFT_COMMIT_GENID, genid, &diags, NULL), 0);
                        listed_tables(s, NFPROTO_IPV4, listed, sizeof(listed));
                        ck_assert_str_eq(listed, "nfwall-filter nfwall-mangle");
                } else if (step == 1) {
                        /* the two that exist, and only those; mangle is not made again */
                        ck_assert_str_eq(deleted, "2:nfwall-filter 2:nfwall-mangle");
                        ck_assert_int_eq(nft_socket_commit(s, &batch, NFT_COMMIT_GENID, genid, &diags, NULL), 0);
                        listed_tables(s, NFPROTO_IPV4, listed, sizeof(listed));
                        ck_assert_str_eq(listed, "nfwall-filter");
                } else {
                        /* someone commits between the reading and ours: refused whole, nothing changed */
                        _cleanup_(nft_batch_deinit) NftBatch other = NFT_BATCH_INIT;
                        uint64_t handle;

                        ck_assert_str_eq(deleted, "2:nfwall-filter");
                        add(&other, NFT_MESSAGE_NEW_TABLE, nl_table_new(NFPROTO_INET, "other"), 1);
                        ck_assert_uint_eq(commit_ok(s, &other, &handle, 0), 0);
                        ck_assert_int_eq(nft_socket_commit(s, &batch, NFT_COMMIT_GENID, genid, &diags, NULL),
                                         -ERESTART);
                        listed_tables(s, NFPROTO_IPV4, listed, sizeof(listed));
                        ck_assert_str_eq(listed, "nfwall-filter");
                }
                ck_assert_uint_eq(diags.n_items, 0);
        }
}
END_TEST

START_TEST(test_big_set) {
        _cleanup_(nft_socket_freep) NftSocket *s = socket_new();
        _cleanup_(nft_batch_deinit) NftBatch b = NFT_BATCH_INIT;
        _cleanup_(nft_batch_deinit) NftBatch bad = NFT_BATCH_INIT;
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        _cleanup_(nft_table_dump_deinit) NftTableDump d = {};
        NftCommitStats stats = {};
        struct nftnl_set_list_iter *si;
        struct nftnl_set_elems_iter *ei;
        struct nftnl_set *set;
        size_t n = 0;

        /* set addrs { type ipv4_addr; elements = { 10.1.0.1, ... } }, too big for one message */
        set = nftnl_set_alloc();
        ck_assert_ptr_nonnull(set);
        nftnl_set_set_u32(set, NFTNL_SET_FAMILY, FAMILY);
        nftnl_set_set_str(set, NFTNL_SET_TABLE, TABLE);
        nftnl_set_set_str(set, NFTNL_SET_NAME, "addrs");
        nftnl_set_set_u32(set, NFTNL_SET_KEY_TYPE, 7); /* nft's ipv4_addr */
        nftnl_set_set_u32(set, NFTNL_SET_KEY_LEN, 4);
        nftnl_set_set_u32(set, NFTNL_SET_ID, 1); /* the kernel wants one */
        for (uint32_t i = 0; i < N_BIG_SET; i++) {
                struct nftnl_set_elem *e = nftnl_set_elem_alloc();
                uint32_t addr = htonl(0x0a010000u + i + 1);

                ck_assert_ptr_nonnull(e);
                nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &addr, sizeof(addr));
                nftnl_set_elem_add(set, e);
        }
        add(&b, NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, TABLE), 1);
        add(&b, NFT_MESSAGE_NEW_SET, set, 2);
        if (nft_socket_commit(s, &b, 0, 0, &diags, &stats) < 0)
                diag_list_print(&diags, stderr);
        ck_assert_uint_eq(diags.n_items, 0);
        /* BEGIN, table, set, END, and the elements in more than one message. */
        ck_assert_uint_gt(stats.n_messages, 5);

        ck_assert_int_eq(nft_socket_dump_table(s, FAMILY, TABLE, &d), 0);
        si = nftnl_set_list_iter_create(d.sets);
        set = nftnl_set_list_iter_next(si);
        ck_assert_ptr_nonnull(set);
        ck_assert_str_eq(nftnl_set_get_str(set, NFTNL_SET_NAME), "addrs");
        ei = nftnl_set_elems_iter_create(set);
        ck_assert_ptr_nonnull(ei);
        while (nftnl_set_elems_iter_next(ei))
                n++;
        nftnl_set_elems_iter_destroy(ei);
        nftnl_set_list_iter_destroy(si);
        ck_assert_uint_eq(n, N_BIG_SET);

        /* Elements the kernel refuses (a 3-byte key for a 4-byte type): blamed on the set's line. */
        set = nftnl_set_alloc();
        ck_assert_ptr_nonnull(set);
        nftnl_set_set_u32(set, NFTNL_SET_FAMILY, FAMILY);
        nftnl_set_set_str(set, NFTNL_SET_TABLE, TABLE);
        nftnl_set_set_str(set, NFTNL_SET_NAME, "broken");
        nftnl_set_set_u32(set, NFTNL_SET_KEY_LEN, 4);
        nftnl_set_set_u32(set, NFTNL_SET_ID, 2);
        {
                struct nftnl_set_elem *e = nftnl_set_elem_alloc();
                uint8_t key[3] = { 1, 2, 3 };

                ck_assert_ptr_nonnull(e);
                nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, sizeof(key));
                nftnl_set_elem_add(set, e);
        }
        add(&bad, NFT_MESSAGE_NEW_SET, set, 30);
        ck_assert_int_eq(nft_socket_commit(s, &bad, 0, 0, &diags, NULL), -EINVAL);
        ck_assert_uint_eq(diags.n_items, 1);
        ck_assert_uint_eq(diags.items[0].line, 30);
        ck_assert_ptr_nonnull(strstr(diags.items[0].message, "the kernel refused the elements of set broken: "));

        /* A set the kernel refuses (no NFTA_SET_ID): one diagnostic, not one more per element message. */
        diag_list_clear(&diags);
        nft_batch_deinit(&bad);
        set = nftnl_set_alloc();
        ck_assert_ptr_nonnull(set);
        nftnl_set_set_u32(set, NFTNL_SET_FAMILY, FAMILY);
        nftnl_set_set_str(set, NFTNL_SET_TABLE, TABLE);
        nftnl_set_set_str(set, NFTNL_SET_NAME, "noid");
        nftnl_set_set_u32(set, NFTNL_SET_KEY_LEN, 4);
        for (uint32_t i = 0; i < N_BIG_SET; i++) {
                struct nftnl_set_elem *e = nftnl_set_elem_alloc();
                uint32_t addr = htonl(i + 1);

                ck_assert_ptr_nonnull(e);
                nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &addr, sizeof(addr));
                nftnl_set_elem_add(set, e);
        }
        add(&bad, NFT_MESSAGE_NEW_SET, set, 31);
        ck_assert_int_eq(nft_socket_commit(s, &bad, 0, 0, &diags, &stats), -EINVAL);
        ck_assert_uint_gt(stats.n_messages, 4);
        ck_assert_uint_eq(stats.n_errors, 1);
        ck_assert_uint_eq(diags.n_items, 1);
        ck_assert_uint_eq(diags.items[0].line, 31);
        ck_assert_str_eq(diags.items[0].message, "the kernel refused set noid: Invalid argument");
}
END_TEST

START_TEST(test_generations) {
        _cleanup_(nft_socket_freep) NftSocket *s = socket_new();
        _cleanup_(nft_socket_freep) NftSocket *monitor = socket_new();
        _cleanup_(nft_batch_deinit) NftBatch b = NFT_BATCH_INIT;
        uint64_t handles[REF_RULES];
        uint32_t genid = 0, current;
        bool foreign = true;
        pid_t pid;
        int status;

        ck_assert_int_eq(nft_socket_subscribe(monitor, 4 << 20), 0);
        ck_assert_int_eq(nft_socket_read_generations(monitor, &genid, &foreign), 0);

        /* Ours. */
        load_reference(s, handles);
        ck_assert_int_eq(nft_socket_read_generations(monitor, &genid, &foreign), 1);
        ck_assert_int_eq(nft_socket_get_genid(s, &current), 0);
        ck_assert_uint_eq(genid, current);
        ck_assert(!foreign);

        /* Someone else's: a child process commits. */
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                NftSocket *cs = NULL;
                DiagList diags = DIAG_LIST_INIT;

                add(&b, NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, "nfwall-child"), 1);
                _exit(nft_socket_open(&cs) == 0 && nft_socket_commit(cs, &b, 0, 0, &diags, NULL) == 0 ? 0 : 1);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ck_assert_int_eq(nft_socket_read_generations(monitor, &genid, &foreign), 1);
        ck_assert_uint_eq(genid, current + 1);
        ck_assert(foreign);
}
END_TEST

START_TEST(test_too_many_expressions) {
        _cleanup_(nft_batch_deinit) NftBatch b = NFT_BATCH_INIT;
        struct nftnl_rule *r = nl_rule_new(FAMILY, TABLE, "INPUT");
        struct nftnl_rule *u = nl_rule_new(FAMILY, TABLE, "INPUT");
        uint8_t udata[NFT_UDATA_MAX + 1] = {};

        /* Refused before anything is written: libnftnl would write past the room a message has. */
        for (unsigned i = 0; i < 1000; i++)
                add_counter(r);
        add(&b, NFT_MESSAGE_NEW_TABLE, nl_table_new(FAMILY, TABLE), 1);
        ck_assert_int_eq(nft_batch_add_rule(&b, r, NULL, 0), -E2BIG);
        nftnl_rule_set_data(u, NFTNL_RULE_USERDATA, udata, sizeof(udata));
        ck_assert_int_eq(nft_batch_add_rule(&b, u, NULL, 0), -E2BIG);
        ck_assert_uint_eq(b.n_messages, 1);
        ck_assert_uint_eq(b.n_seqs, 1);
        ck_assert_uint_eq(b.n_rules, 0);
        nftnl_rule_free(r);
        nftnl_rule_free(u);

        /* The compiler says so first, at the rule: 14 conntrack matches of 9 expressions. */
        {
                _cleanup_(ruleset_freep) Ruleset *rs = NULL;
                _cleanup_(nft_batch_deinit) NftBatch cb = NFT_BATCH_INIT;
                _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
                char text[4096];
                int n;

                n = snprintf(text, sizeof(text), "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp");
                for (unsigned i = 0; i < 14; i++)
                        n += snprintf(text + n, sizeof(text) - (size_t)n,
                                      " -m conntrack --ctstate NEW --ctorigsrc 10.0.0.%u --ctorigdst 10.1.0.1"
                                      " --ctstatus ASSURED", i + 1);
                snprintf(text + n, sizeof(text) - (size_t)n, " -j ACCEPT\nCOMMIT\n");
                ck_assert_int_eq(ruleset_parse_string(text, strlen(text), FILE_NAME, FAMILY_IPV4, &diags, &rs), 0);
                diag_list_clear(&diags);
                ck_assert_int_eq(nft_compile_ruleset(rs, FAMILY_BIT(FAMILY_IPV4), &cb, &diags), -EOPNOTSUPP);
                ck_assert_uint_eq(diags.n_items, 1);
                ck_assert_uint_eq(diags.items[0].line, 3);
                ck_assert_int_eq(diags.items[0].code, DIAG_UNSUPPORTED);
                ck_assert_str_eq(diags.items[0].message,
                                 "nf_tables takes at most 128 expressions in a rule, this one needs 130");
                ck_assert_uint_eq(cb.n_rules, 0);
        }
}
END_TEST

/*
 * The compiler's predictions: tables of both kinds of chain, with sets
 * (multiport lists, shared where equal) between the rules, in two
 * families' worth of tables, made anew over what the kernel held. Every
 * rule's echoed handle is the predicted one, and so is every chain's and
 * set's in the dump.
 */
static const char *const predicted_v4 =
        "*raw\n"
        ":PREROUTING ACCEPT [0:0]\n"
        ":OUTPUT ACCEPT [0:0]\n"
        "-A PREROUTING -p udp -m multiport --dports 53,123 -j ACCEPT\n"
        "COMMIT\n"
        "*nat\n"
        ":PREROUTING ACCEPT [0:0]\n"
        ":INPUT ACCEPT [0:0]\n"
        ":OUTPUT ACCEPT [0:0]\n"
        ":POSTROUTING ACCEPT [0:0]\n"
        ":web - [0:0]\n"
        "-A PREROUTING -p tcp -m multiport --dports 80,443 -j web\n"
        "-A web -p tcp -j DNAT --to-destination 10.0.0.2\n"
        "-A POSTROUTING -o eth0 -j MASQUERADE\n"
        "COMMIT\n"
        "*filter\n"
        ":INPUT DROP [0:0]\n"
        ":FORWARD DROP [0:0]\n"
        ":OUTPUT ACCEPT [0:0]\n"
        ":svc-a - [0:0]\n"
        ":svc-b - [0:0]\n"
        "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
        "-A INPUT -i lo -j ACCEPT\n"
        "-A INPUT -d 10.1.0.0/24 -j svc-a\n"
        "-A INPUT -d 10.2.0.0/24 -j svc-b\n"
        "-A svc-a -p tcp -m multiport --dports 22,80,443 -j ACCEPT\n"
        "-A svc-a -s 10.9.0.0/16 -p udp -m multiport --dports 53,123 -j ACCEPT\n"
        "-A svc-b -p tcp -m multiport --dports 22,80,443 -m comment --comment \"shared set\" -j ACCEPT\n"
        "-A svc-b -p tcp -m multiport --dports 8080:8090,9000 -j ACCEPT\n"
        "-A svc-b -j RETURN\n"
        "-A FORWARD -p tcp -m multiport --sports 1024:65535 -j svc-b\n"
        "COMMIT\n";

static void assert_table_handles(NftSocket *s, const NftBatch *b, const char *table, size_t *ret_checked) {
        _cleanup_(nft_table_dump_deinit) NftTableDump d = {};
        struct nftnl_chain_list_iter *ci;
        struct nftnl_set_list_iter *si;
        struct nftnl_chain *c;
        struct nftnl_set *set;

        ck_assert_int_eq(nft_socket_dump_table(s, FAMILY, table, &d), 0);
        ci = nftnl_chain_list_iter_create(d.chains);
        while ((c = nftnl_chain_list_iter_next(ci))) {
                const char *name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
                bool found = false;

                if (!streq(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), table))
                        continue;
                /* The batch's NEWCHAIN for it, in this table: its bytes name both. */
                for (size_t i = 0; i < b->n_messages && !found; i++) {
                        const NftMessage *m = &b->messages[i];
                        const struct nlattr *a;
                        const char *t = NULL, *n = NULL;

                        if (m->kind != NFT_MESSAGE_NEW_CHAIN)
                                continue;
                        mnl_attr_for_each(a, m->nlh, sizeof(struct nfgenmsg)) {
                                if (mnl_attr_get_type(a) == NFTA_CHAIN_TABLE)
                                        t = mnl_attr_get_str(a);
                                else if (mnl_attr_get_type(a) == NFTA_CHAIN_NAME)
                                        n = mnl_attr_get_str(a);
                        }
                        if (t && n && streq(t, table) && streq(n, name)) {
                                ck_assert_uint_eq(nftnl_chain_get_u64(c, NFTNL_CHAIN_HANDLE), m->handle);
                                found = true;
                        }
                }
                ck_assert_msg(found, "chain %s %s not in the batch", table, name);
                (*ret_checked)++;
        }
        nftnl_chain_list_iter_destroy(ci);

        si = nftnl_set_list_iter_create(d.sets);
        while ((set = nftnl_set_list_iter_next(si))) {
                const char *name = nftnl_set_get_str(set, NFTNL_SET_NAME);
                bool found = false;

                for (size_t i = 0; i < b->n_messages && !found; i++) {
                        const NftMessage *m = &b->messages[i];
                        const struct nlattr *a;
                        const char *t = NULL, *n = NULL;

                        if (m->kind != NFT_MESSAGE_NEW_SET)
                                continue;
                        mnl_attr_for_each(a, m->nlh, sizeof(struct nfgenmsg)) {
                                if (mnl_attr_get_type(a) == NFTA_SET_TABLE)
                                        t = mnl_attr_get_str(a);
                                else if (mnl_attr_get_type(a) == NFTA_SET_NAME)
                                        n = mnl_attr_get_str(a);
                        }
                        if (t && n && streq(t, table) && streq(n, name)) {
                                ck_assert_uint_eq(nftnl_set_get_u64(set, NFTNL_SET_HANDLE), m->handle);
                                found = true;
                        }
                }
                ck_assert_msg(found, "set %s %s not in the batch", table, name);
                (*ret_checked)++;
        }
        nftnl_set_list_iter_destroy(si);
}

START_TEST(test_predicted_handles) {
        _cleanup_(nft_socket_freep) NftSocket *s = socket_new();
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        _cleanup_free_ uint64_t *predicted = NULL;
        NftCommitStats stats = {};
        size_t n_rules = 0, n_sets = 0, checked = 0;

        ck_assert_int_eq(ruleset_parse_string(predicted_v4, strlen(predicted_v4), FILE_NAME, FAMILY_IPV4, &diags,
                                              &rs),
                         0);
        diag_list_clear(&diags);

        /* Twice: into an empty namespace, then over the first load (the replace). */
        for (unsigned round = 0; round < 2; round++) {
                _cleanup_(nft_batch_deinit) NftBatch b = NFT_BATCH_INIT;
                size_t k = 0;

                ck_assert_int_eq(nft_compile_ruleset(rs, FAMILY_BIT(FAMILY_IPV4), &b, &diags), 0);
                free(predicted);
                predicted = calloc(b.n_rules, sizeof(uint64_t));
                ck_assert_ptr_nonnull(predicted);
                n_sets = 0;
                for (size_t i = 0; i < b.n_messages; i++) {
                        const NftMessage *m = &b.messages[i];

                        if (m->kind == NFT_MESSAGE_NEW_RULE) {
                                ck_assert_uint_gt(m->handle, 0);
                                predicted[k++] = m->handle;
                        }
                        n_sets += m->kind == NFT_MESSAGE_NEW_SET;
                }
                n_rules = k;
                ck_assert_uint_eq(n_rules, 14);
                /* 53,123 in raw and filter; 80,443 in nat; 22,80,443 (shared), 8080:8090,9000, 1024:65535 */
                ck_assert_uint_eq(n_sets, 6);

                ck_assert_int_eq(nft_socket_commit(s, &b, NFT_COMMIT_ECHO, 0, &diags, &stats), 0);
                ck_assert_uint_eq(diags.n_items, 0);
                ck_assert_uint_eq(stats.n_echoes, n_rules);
                k = 0;
                for (size_t i = 0; i < b.n_messages; i++)
                        if (b.messages[i].kind == NFT_MESSAGE_NEW_RULE) {
                                ck_assert_msg(b.messages[i].handle == predicted[k],
                                              "rule at line %u: handle %llu, predicted %llu", b.messages[i].loc.line,
                                              (unsigned long long)b.messages[i].handle,
                                              (unsigned long long)predicted[k]);
                                k++;
                        }

                checked = 0;
                assert_table_handles(s, &b, NFT_TABLE_PREFIX "raw", &checked);
                assert_table_handles(s, &b, NFT_TABLE_PREFIX "nat", &checked);
                assert_table_handles(s, &b, NFT_TABLE_PREFIX "filter", &checked);
                /* raw: 2 chains + 1 set; nat: 5 + 1; filter: 5 + 4 */
                ck_assert_uint_eq(checked, 18);
        }
}
END_TEST

static int collect_lookup(struct nftnl_expr *e, void *userdata) {
        char ***names = userdata;
        size_t n = 0;

        if (!streq(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "lookup"))
                return 0;
        while ((*names)[n])
                n++;
        *names = reallocarray(*names, n + 2, sizeof(char *));
        ck_assert_ptr_nonnull(*names);
        (*names)[n] = strdup(nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET));
        (*names)[n + 1] = NULL;
        return 0;
}

/* Every set of the dumped table is looked up by a rule: edits leave none behind. */
static void assert_no_unused_sets(const NftTableDump *d) {
        struct nftnl_rule_list_iter *ri = nftnl_rule_list_iter_create(d->rules);
        struct nftnl_set_list_iter *si = nftnl_set_list_iter_create(d->sets);
        char **used = calloc(1, sizeof(char *));
        struct nftnl_rule *r;
        struct nftnl_set *set;

        while ((r = nftnl_rule_list_iter_next(ri)))
                nftnl_expr_foreach(r, collect_lookup, &used);
        while ((set = nftnl_set_list_iter_next(si))) {
                const char *name = nftnl_set_get_str(set, NFTNL_SET_NAME);
                bool found = false;

                for (char **u = used; *u && !found; u++)
                        found = streq(*u, name);
                ck_assert_msg(found, "set %s is looked up by no rule", name);
        }
        for (char **u = used; *u; u++)
                free(*u);
        free(used);
        nftnl_rule_list_iter_destroy(ri);
        nftnl_set_list_iter_destroy(si);
}

/*
 * Runtime edits against the kernel: after each one, what the kernel holds
 * (dumped, decompiled, printed as iptables -S) is what the model says, and
 * every chain and rule of the model carries the kernel's handle. Each edit
 * is done as nfwalld does it: resolved and checked on the model, compiled
 * with the table's kept context, committed with echo, carried out.
 */
static void assert_kernel_is_model(NftSocket *s, const Table *t) {
        _cleanup_(nft_table_dump_deinit) NftTableDump d = {};
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        _cleanup_(strbuf_deinit) StrBuf a = STRBUF_INIT, b = STRBUF_INIT;
        const Table *k;

        ck_assert_int_eq(ruleset_new(&rs), 0);
        ck_assert_int_eq(nft_socket_dump_table(s, nft_family(t->family), nft_table_name(t->type), &d), 0);
        ck_assert_int_eq(nft_decompile_table(&d, rs, &diags), 0);
        ck_assert_uint_eq(diags.n_items, 0);
        assert_no_unused_sets(&d);
        k = ruleset_get_table(rs, t->family, t->type);
        ck_assert_ptr_nonnull(k);
        ck_assert_int_eq(table_print_rules(t, NULL, 0, 0, &a), 0);
        ck_assert_int_eq(table_print_rules(k, NULL, 0, 0, &b), 0);
        ck_assert_str_eq(b.data, a.data);
        ck_assert_uint_eq(k->n_chains, t->n_chains);
        for (size_t i = 0; i < t->n_chains; i++) {
                ck_assert_msg(t->chains[i]->handle == k->chains[i]->handle, "chain %s: handle %llu, kernel %llu",
                              t->chains[i]->name, (unsigned long long)t->chains[i]->handle,
                              (unsigned long long)k->chains[i]->handle);
                for (size_t j = 0; j < t->chains[i]->n_rules; j++)
                        ck_assert_msg(t->chains[i]->rules[j]->handle == k->chains[i]->rules[j]->handle,
                                      "chain %s rule %zu: handle %llu, kernel %llu", t->chains[i]->name, j + 1,
                                      (unsigned long long)t->chains[i]->rules[j]->handle,
                                      (unsigned long long)k->chains[i]->rules[j]->handle);
        }
}

/*
 * One edit as nfwalld makes it; returns the commit's result (the model
 * changes only on 0), or 1 when the model refuses the command (nothing
 * is sent then).
 */
static int edit(NftSocket *s, Ruleset *rs, NftCompileState *state, const char *line, uint64_t bad_handle) {
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        _cleanup_(nft_batch_deinit) NftBatch b = NFT_BATCH_INIT;
        ParseContext pc = { .family = FAMILY_IPV4, .file = "edit", .line = 1, .table = TABLE_FILTER,
                            .diags = &diags };
        TokenBuffer tb = TOKEN_BUFFER_INIT;
        Command c = COMMAND_INIT;
        bool new_table = false;
        NftEdit e;
        Table *t;
        int r;

        ck_assert_int_eq(line_tokenize(&pc, line, strlen(line), &tb), 0);
        ck_assert_int_eq(command_parse(&pc, tb.tokens, tb.n_tokens, &c), 0);
        token_buffer_deinit(&tb);
        t = ruleset_get_table(rs, FAMILY_IPV4, c.table);
        if (!t) {
                ck_assert_int_eq(ruleset_ensure_table(rs, FAMILY_IPV4, c.table, NULL, &t), 0);
                ck_assert_int_eq(nft_compile_context_new(t, NULL, &diags, &state->tables[FAMILY_IPV4][c.table]), 0);
                nft_compile_context_name_sets(state->tables[FAMILY_IPV4][c.table], 1);
                new_table = true;
        }
        ck_assert_ptr_nonnull(state->tables[FAMILY_IPV4][c.table]);
        r = nft_edit_begin(&e, state->tables[FAMILY_IPV4][c.table], t, new_table, &c, &b, &diags);
        if (r < 0) {
                /* refused by the model (resolve, check); never by the compiler */
                for (size_t i = 0; i < diags.n_items; i++)
                        ck_assert_msg(diags.items[i].code != DIAG_KERNEL && diags.items[i].code != DIAG_UNSUPPORTED,
                                      "%s: not compiled: %s", line, diags.items[i].message);
                ck_assert_msg(!new_table, "%s: refused in a new table", line);
                command_deinit(&c);
                return 1;
        }
        if (bad_handle && e.plan.chain)
                /* a rule the kernel does not have: the whole transaction is refused */
                ck_assert_int_eq(nft_batch_del_rule(&b, NFPROTO_IPV4, nft_table_name(c.table), e.plan.chain->name,
                                                    bad_handle, NULL),
                                 0);
        r = nft_socket_commit(s, &b, NFT_COMMIT_ECHO, 0, &diags, NULL);
        ck_assert_int_eq(nft_edit_end(&e, &b, r >= 0), 0);
        command_deinit(&c);
        if (r < 0)
                return r;
        assert_kernel_is_model(s, t);
        return 0;
}

START_TEST(test_edits) {
        static const char *const lines[] = {
                "-A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT",   /* the shared set */
                "-I INPUT -p udp -m multiport --dports 7,9 -j DROP",            /* a new set */
                "-I INPUT 3 -s 10.3.0.0/16 -j svc-a",
                "-I INPUT 7 -j ACCEPT",                                         /* at the end */
                "-R INPUT 2 -p tcp --dport 25 -j REJECT --reject-with tcp-reset",
                "-D INPUT 1",
                "-D svc-b -j RETURN",
                "-N svc-c",
                "-A svc-c -j ACCEPT",
                "-E svc-c svc-d",
                "-A FORWARD -j svc-d",
                "-D FORWARD -j svc-d",
                "-F svc-d",
                "-X svc-d",
                "-P INPUT ACCEPT",
                "-Z INPUT 2",
                "-Z",
                "-t nat -I PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.3",
                "-t mangle -A OUTPUT -p udp -m multiport --dports 53,123 -j MARK --set-mark 1", /* a new table */
                "-t mangle -N m",
                "-t mangle -E m m2",
                "-t mangle -A OUTPUT -j TTL --ttl-inc 3",                       /* a map */
                "-t mangle -A POSTROUTING -j TTL --ttl-inc 3",                  /* the same map */
                "-t mangle -D OUTPUT -j TTL --ttl-inc 3",                       /* shared: stays */
                "-t mangle -R POSTROUTING 1 -j TTL --ttl-dec 2",                /* one map for another */
                "-A INPUT -p tcp -m multiport --dports 3000,3001 -j DROP",       /* made, then deleted */
                "-D INPUT -p tcp -m multiport --dports 3000,3001 -j DROP",
                "-A INPUT -p tcp -m multiport --dports 3000,3002 -j DROP",
                "-R INPUT 1 -p tcp -m multiport --dports 3000,3003 -j DROP",    /* one set for another */
                "-A INPUT -p tcp -m multiport --dports 3000,3003 -j ACCEPT",    /* shared: stays */
                "-D INPUT 1",
                "-F svc-a",
                "-F",
        };
        _cleanup_(nft_socket_freep) NftSocket *s = socket_new();
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        _cleanup_(nft_batch_deinit) NftBatch b = NFT_BATCH_INIT;
        NftCompileState state = {};

        ck_assert_int_eq(ruleset_parse_string(predicted_v4, strlen(predicted_v4), FILE_NAME, FAMILY_IPV4, &diags,
                                              &rs),
                         0);
        ck_assert_int_eq(nft_compile_ruleset_keep(rs, FAMILY_BIT(FAMILY_IPV4), NULL, &b, &diags, &state), 0);
        ck_assert_int_eq(nft_socket_commit(s, &b, 0, 0, &diags, NULL), 0);
        nft_compile_assign_handles(rs, FAMILY_BIT(FAMILY_IPV4), &b);
        for (TableType t = 0; t < _TABLE_TYPE_MAX; t++)
                if (ruleset_get_table(rs, FAMILY_IPV4, t))
                        assert_kernel_is_model(s, ruleset_get_table(rs, FAMILY_IPV4, t));

        /* refused: nothing changes, and the set it would have made is forgotten */
        ck_assert_int_eq(edit(s, rs, &state, "-A INPUT -p tcp -m multiport --dports 1,2,3 -j ACCEPT", 999999),
                         -EINVAL);
        assert_kernel_is_model(s, ruleset_get_table(rs, FAMILY_IPV4, TABLE_FILTER));
        ck_assert_int_eq(edit(s, rs, &state, "-A INPUT -p tcp -m multiport --dports 1,2,3 -j ACCEPT", 0), 0);

        for (size_t i = 0; i < ELEMENTSOF(lines); i++)
                ck_assert_msg(edit(s, rs, &state, lines[i], 0) == 0, "%s: refused", lines[i]);
        nft_compile_state_drop(&state, FAMILY_ANY);
}
END_TEST

/*
 * Random edits (a fixed seed): rules drawn from a pool whose port lists
 * share sets, jumps between user chains, chains made and removed, and one
 * transaction in eight refused by the kernel. After each, the kernel's
 * table is the model, with no set left unused.
 */
/*
 * CT --helper: the raw table goes in as written, and again after conntrack
 * (its replay); handles, read back, -Z, refused edits, tampering, and a
 * table that cannot be replayed.
 */
static const char helper_v4[] =
        "*raw\n"
        ":PREROUTING ACCEPT [0:0]\n"
        ":OUTPUT ACCEPT [0:0]\n"
        ":helpers - [0:0]\n"
        "-A PREROUTING -p udp -m udp --dport 53 -j CT --notrack\n"
        "-A PREROUTING -j helpers\n"
        "-A OUTPUT -j helpers\n"
        "-A helpers -s 10.0.0.0/8 -j RETURN\n"
        "-A helpers -p tcp -m multiport --dports 21,2121 -j CT --helper ftp\n"
        "-A helpers -p udp -m udp --dport 69 -j CT --helper tftp\n"
        "-A helpers -j LOG --log-prefix \"raw \"\n"
        "COMMIT\n";

/*
 * Command line @line on table raw of @rs through nft_edit_begin(): its
 * result, committed if built; @sabotage adds a message the kernel refuses.
 */
static int helper_edit_full(NftSocket *s, Ruleset *rs, NftCompileState *state, const char *line, bool sabotage,
                            DiagList *diags) {
        _cleanup_(nft_batch_deinit) NftBatch b = NFT_BATCH_INIT;
        ParseContext pc = { .family = FAMILY_IPV4, .file = "edit", .line = 1, .table = TABLE_FILTER, .diags = diags };
        TokenBuffer tb = TOKEN_BUFFER_INIT;
        Command c = COMMAND_INIT;
        Table *t;
        NftEdit e;
        int r;

        ck_assert_int_eq(line_tokenize(&pc, line, strlen(line), &tb), 0);
        ck_assert_int_eq(command_parse(&pc, tb.tokens, tb.n_tokens, &c), 0);
        token_buffer_deinit(&tb);
        t = ruleset_get_table(rs, FAMILY_IPV4, c.table);
        ck_assert_ptr_nonnull(t);
        r = nft_edit_begin(&e, state->tables[FAMILY_IPV4][c.table], t, false, &c, &b, diags);
        if (r >= 0 && sabotage)
                ck_assert_int_eq(nft_batch_del_rule(&b, NFPROTO_IPV4, "nfwall-raw", "PREROUTING", 999999, NULL), 0);
        if (r >= 0) {
                r = nft_socket_commit(s, &b, NFT_COMMIT_ECHO, 0, diags, NULL);
                ck_assert_int_eq(nft_edit_end(&e, &b, r >= 0), 0);
        }
        command_deinit(&c);
        return r;
}

static int helper_edit(NftSocket *s, Ruleset *rs, NftCompileState *state, const char *line, DiagList *diags) {
        return helper_edit_full(s, rs, state, line, false, diags);
}

START_TEST(test_helper_replay) {
        _cleanup_(nft_socket_freep) NftSocket *s = socket_new();
        _cleanup_(ruleset_freep) Ruleset *rs = NULL, *blocked = NULL;
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        _cleanup_(nft_batch_deinit) NftBatch b = NFT_BATCH_INIT;
        _cleanup_(nft_table_dump_deinit) NftTableDump d = {};
        _cleanup_free_ uint64_t *predicted = NULL;
        NftCompileState state = {};
        size_t k = 0, n_objects = 0, n_replay_chains = 0, n_replay_rules = 0;
        const Table *raw;
        uint64_t victim = 0;

        ck_assert_int_eq(ruleset_parse_string(helper_v4, strlen(helper_v4), FILE_NAME, FAMILY_IPV4, &diags, &rs), 0);
        ck_assert_int_eq(nft_compile_ruleset_keep(rs, FAMILY_BIT(FAMILY_IPV4), NULL, &b, &diags, &state), 0);
        ck_assert_uint_eq(diags.n_items, 0);
        predicted = calloc(b.n_rules, sizeof(uint64_t));
        ck_assert_ptr_nonnull(predicted);
        for (size_t i = 0; i < b.n_messages; i++) {
                const NftMessage *m = &b.messages[i];
                if (m->kind == NFT_MESSAGE_NEW_RULE)
                        predicted[k++] = m->handle;
                n_objects += m->kind == NFT_MESSAGE_NEW_OBJ;
                n_replay_chains += m->kind == NFT_MESSAGE_NEW_CHAIN && m->replay;
                n_replay_rules += m->kind == NFT_MESSAGE_NEW_RULE && m->replay;
        }
        /* ftp-tcp, tftp-udp; a replay of each chain; its rules: end, jump | jump | return, 2 + 2 (LOG: none) */
        ck_assert_uint_eq(n_objects, 2);
        ck_assert_uint_eq(n_replay_chains, 3);
        ck_assert_uint_eq(n_replay_rules, 8);

        /* the objects take handles too: every prediction is the kernel's */
        ck_assert_int_eq(nft_socket_commit(s, &b, NFT_COMMIT_ECHO, 0, &diags, NULL), 0);
        k = 0;
        for (size_t i = 0; i < b.n_messages; i++)
                if (b.messages[i].kind == NFT_MESSAGE_NEW_RULE) {
                        ck_assert_uint_eq(b.messages[i].handle, predicted[k]);
                        if (b.messages[i].replay && !victim)
                                victim = b.messages[i].handle;
                        k++;
                }
        nft_compile_assign_handles(rs, FAMILY_BIT(FAMILY_IPV4), &b);
        raw = ruleset_get_table(rs, FAMILY_IPV4, TABLE_RAW);
        /* read back: the model, its handles, the replay exactly as the model makes it */
        assert_kernel_is_model(s, raw);

        /*
         * Edits: each one's transaction makes the replay again from the table
         * as the edit leaves it; the read back checks it exactly. -Z keeps it.
         */
        {
                static const char *const lines[] = {
                        "-t raw -Z helpers",
                        "-t raw -A helpers -p udp -m udp --dport 5060 -j CT --helper sip",  /* a new object */
                        "-t raw -I helpers 1 -p tcp -m multiport --dports 21,2121 -j ACCEPT", /* the shared set */
                        "-t raw -R helpers 2 -p tcp -m tcp --dport 6667 -j CT --helper irc",
                        "-t raw -D helpers 1",
                        "-t raw -N more",
                        "-t raw -A more -p tcp -m tcp --dport 21 -j CT --zone 4 --helper ftp",
                        "-t raw -I OUTPUT -g more",
                        "-t raw -E more more2",
                        "-t raw -D OUTPUT -g more2",
                        "-t raw -F more2",
                        "-t raw -X more2",
                        "-t raw -P PREROUTING DROP",
                        "-t raw -P PREROUTING ACCEPT",
                        "-t raw -F helpers",                    /* the last helper: the replay goes */
                        "-t raw -A helpers -p tcp -m tcp --dport 21 -j CT --helper ftp", /* and comes back */
                };

                for (size_t i = 0; i < ELEMENTSOF(lines); i++) {
                        int r = helper_edit(s, rs, &state, lines[i], &diags);
                        if (r < 0)
                                diag_list_print(&diags, stderr);
                        ck_assert_msg(r == 0, "%s: %d", lines[i], r);
                        ck_assert_uint_eq(diags.n_items, 0);
                        assert_kernel_is_model(s, raw);
                }
        }
        /* refused by the kernel, an edit's new helper object is forgotten: made again by the next */
        ck_assert_int_lt(helper_edit_full(s, rs, &state, "-t raw -A helpers -p udp -m udp --dport 10080 -j CT --helper amanda",
                                          true, &diags),
                         0);
        diag_list_clear(&diags);
        assert_kernel_is_model(s, raw);
        ck_assert_int_eq(helper_edit(s, rs, &state, "-t raw -A helpers -p udp -m udp --dport 10080 -j CT --helper amanda",
                                     &diags),
                         0);
        assert_kernel_is_model(s, raw);

        /* an edit that would leave a raw table the replay cannot follow: refused, nothing changed */
        ck_assert_int_eq(helper_edit(s, rs, &state, "-t raw -A PREROUTING -j MARK --set-mark 1", &diags), -EOPNOTSUPP);
        ck_assert_uint_eq(diags.n_items, 1);
        ck_assert_int_eq(diags.items[0].code, DIAG_UNSUPPORTED);
        ck_assert_str_eq(diags.items[0].message,
                         "CT --helper: nf_tables assigns helpers only after conntrack, where nfwall replays the raw "
                         "table; it could not replay this rule, which changes the packet");
        diag_list_clear(&diags);
        assert_kernel_is_model(s, raw);
        /* the victim below: a replay rule of the replay made last */
        {
                _cleanup_(nft_table_dump_deinit) NftTableDump now = {};
                struct nftnl_rule_list_iter *it;
                struct nftnl_rule *nr;

                ck_assert_int_eq(nft_socket_dump_table(s, NFPROTO_IPV4, "nfwall-raw", &now), 0);
                it = nftnl_rule_list_iter_create(now.rules);
                victim = 0;
                while ((nr = nftnl_rule_list_iter_next(it)))
                        if (streq(nftnl_rule_get_str(nr, NFTNL_RULE_CHAIN), NFT_REPLAY_CHAIN_PREFIX "PREROUTING"))
                                victim = nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE);
                nftnl_rule_list_iter_destroy(it);
                ck_assert_uint_gt(victim, 0);
        }

        /* one replay rule gone: the table is not what nfwall made */
        {
                _cleanup_(nft_batch_deinit) NftBatch del = NFT_BATCH_INIT;
                _cleanup_(ruleset_freep) Ruleset *back = NULL;

                ck_assert_int_eq(nft_batch_del_rule(&del, NFPROTO_IPV4, "nfwall-raw",
                                                    NFT_REPLAY_CHAIN_PREFIX "PREROUTING", victim, NULL),
                                 0);
                ck_assert_int_eq(nft_socket_commit(s, &del, 0, 0, &diags, NULL), 0);
                ck_assert_int_eq(ruleset_new(&back), 0);
                ck_assert_int_eq(nft_socket_dump_table(s, NFPROTO_IPV4, "nfwall-raw", &d), 0);
                ck_assert_int_eq(nft_decompile_table(&d, back, &diags), -EBADMSG);
        }

        /* a helper the kernel does not have: refused by the kernel, at the rule that needs it */
        {
                static const char text[] = "*raw\n"
                                           "-A PREROUTING -p tcp -m tcp --dport 9 -j CT --helper nosuchhelper\n"
                                           "COMMIT\n";
                _cleanup_(ruleset_freep) Ruleset *unknown = NULL;
                _cleanup_(nft_batch_deinit) NftBatch ub = NFT_BATCH_INIT;

                diag_list_clear(&diags);
                ck_assert_int_eq(ruleset_parse_string(text, strlen(text), FILE_NAME, FAMILY_IPV4, &diags, &unknown),
                                 0);
                ck_assert_int_eq(nft_compile_ruleset(unknown, FAMILY_BIT(FAMILY_IPV4), &ub, &diags), 0);
                ck_assert_int_lt(nft_socket_commit(s, &ub, 0, 0, &diags, NULL), 0);
                /* the object, then the rule and its replay that refer to it: all at the rule's line */
                ck_assert_uint_eq(diags.n_items, 3);
                for (size_t i = 0; i < diags.n_items; i++)
                        ck_assert_uint_eq(diags.items[i].line, 2);
                ck_assert_str_eq(diags.items[0].message,
                                 "the kernel refused object nosuchhelper-tcp (a ct helper here): No such file or directory");
        }

        /* a raw table whose walk would differ after conntrack: refused at the helper, naming the rule */
        {
                static const char text[] = "*raw\n"
                                           "-A PREROUTING -j MARK --set-mark 1\n"
                                           "-A PREROUTING -m mark --mark 1 -p tcp -j CT --helper ftp\n"
                                           "COMMIT\n";
                _cleanup_(nft_batch_deinit) NftBatch cb = NFT_BATCH_INIT;

                diag_list_clear(&diags);
                ck_assert_int_eq(ruleset_parse_string(text, strlen(text), FILE_NAME, FAMILY_IPV4, &diags, &blocked),
                                 0);
                ck_assert_int_eq(nft_compile_ruleset(blocked, FAMILY_BIT(FAMILY_IPV4), &cb, &diags), -EOPNOTSUPP);
                ck_assert_uint_eq(diags.n_items, 1);
                ck_assert_uint_eq(diags.items[0].line, 3);
                ck_assert_str_eq(diags.items[0].message,
                                 "CT --helper: nf_tables assigns helpers only after conntrack, where nfwall replays "
                                 "the raw table; it cannot replay line 2, which changes the packet");
        }
        nft_compile_state_drop(&state, FAMILY_ANY);
}
END_TEST

START_TEST(test_edits_random) {
        static const char *const specs[] = {
                "-p tcp -m multiport --dports 22,80 -j ACCEPT",
                "-p tcp -m multiport --dports 22,80 -j DROP",
                "-p udp -m multiport --dports 53,123 -j ACCEPT",
                "-p tcp -m multiport --dports 8000:8100,9000 -j REJECT",
                "-s 10.1.0.0/16 -j ACCEPT",
                "-p tcp --dport 443 -j ACCEPT",
                "-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
                "-j ua",
                "-j ub",
                "-p udp -m multiport --sports 1:1023 -j ub",
        };
        static const char *const chains[] = { "INPUT", "OUTPUT", "ua", "ub" };
        _cleanup_(nft_socket_freep) NftSocket *s = socket_new();
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        _cleanup_(diag_list_deinit) DiagList diags = DIAG_LIST_INIT;
        _cleanup_(nft_batch_deinit) NftBatch b = NFT_BATCH_INIT;
        static const char base[] = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                                   ":ua - [0:0]\n:ub - [0:0]\n-A INPUT -p tcp -m multiport --dports 22,80 -j ACCEPT\nCOMMIT\n";
        NftCompileState state = {};
        unsigned seed = 20261126, done = 0, refused = 0, failed = 0;

        ck_assert_int_eq(ruleset_parse_string(base, strlen(base), FILE_NAME, FAMILY_IPV4, &diags, &rs), 0);
        ck_assert_int_eq(nft_compile_ruleset_keep(rs, FAMILY_BIT(FAMILY_IPV4), NULL, &b, &diags, &state), 0);
        ck_assert_int_eq(nft_socket_commit(s, &b, 0, 0, &diags, NULL), 0);
        nft_compile_assign_handles(rs, FAMILY_BIT(FAMILY_IPV4), &b);

        for (unsigned step = 0; step < 400; step++) {
                const Table *t = ruleset_get_table(rs, FAMILY_IPV4, TABLE_FILTER);
                const char *chain = chains[rand_r(&seed) % ELEMENTSOF(chains)];
                const char *spec = specs[rand_r(&seed) % ELEMENTSOF(specs)];
                const Chain *c = table_find_chain(t, chain);
                size_t n = c ? c->n_rules : 0;
                char line[256];
                int r;

                switch (rand_r(&seed) % 10) {
                case 0: case 1: case 2:
                        snprintf(line, sizeof(line), "-A %s %s", chain, spec);
                        break;
                case 3:
                        snprintf(line, sizeof(line), "-I %s %zu %s", chain, n ? (size_t)rand_r(&seed) % n + 1 : 1, spec);
                        break;
                case 4:
                        snprintf(line, sizeof(line), "-R %s %zu %s", chain, n ? (size_t)rand_r(&seed) % n + 1 : 1, spec);
                        break;
                case 5: case 6:
                        snprintf(line, sizeof(line), "-D %s %zu", chain, n ? (size_t)rand_r(&seed) % n + 1 : 1);
                        break;
                case 7:
                        snprintf(line, sizeof(line), "-D %s %s", chain, spec);
                        break;
                case 8:
                        snprintf(line, sizeof(line), rand_r(&seed) % 4 ? "-F %s" : "-Z %s", chain);
                        break;
                default:
                        /* remake a user chain: refused while it has rules or jumps to it */
                        snprintf(line, sizeof(line), rand_r(&seed) % 2 ? "-X %s" : "-N %s", rand_r(&seed) % 2 ? "ua" : "ub");
                        break;
                }
                r = edit(s, rs, &state, line, rand_r(&seed) % 8 == 0 ? 999999 : 0);
                if (r == 1)
                        refused++;
                else if (r < 0) {
                        failed++;
                        /* refused by the kernel: nothing changed there or in the model */
                        assert_kernel_is_model(s, ruleset_get_table(rs, FAMILY_IPV4, TABLE_FILTER));
                } else
                        done++;
        }
        printf("# random edits: %u done, %u refused by the model, %u refused by the kernel\n", done, refused, failed);
        ck_assert_uint_gt(done, 150);
        ck_assert_uint_gt(failed, 10);
        nft_compile_state_drop(&state, FAMILY_ANY);
}
END_TEST

static Suite *nft_netlink_suite(void) {
        Suite *s = suite_create("nft-netlink");
        TCase *tc = tcase_create("kernel");

        tcase_add_checked_fixture(tc, netns_setup, NULL);
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_commit_echo_dump);
        tcase_add_test(tc, test_check_mode);
        tcase_add_test(tc, test_bad_jump);
        tcase_add_test(tc, test_restart);
        tcase_add_test(tc, test_big);
        tcase_add_test(tc, test_dump_during_commits);
        tcase_add_test(tc, test_replace_keeps_others);
        tcase_add_test(tc, test_big_set);
        tcase_add_test(tc, test_generations);
        tcase_add_test(tc, test_too_many_expressions);
        tcase_add_test(tc, test_predicted_handles);
        tcase_add_test(tc, test_edits);
        tcase_add_test(tc, test_edits_random);
        tcase_add_test(tc, test_present_tables);
        tcase_add_test(tc, test_helper_replay);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr;
        int n_failed;

        /*
         * Can we have a namespace of our own, with nf_tables in it? If not,
         * skip: this test never touches the host's firewall.
         */
        if (unshare(CLONE_NEWNET) < 0) {
                printf("skip: cannot create a network namespace (%m): needs root\n");
                return 77;
        }
        {
                NftSocket *s = NULL;
                uint32_t genid;
                int r;

                r = nft_socket_open(&s);
                if (r >= 0)
                        r = nft_socket_get_genid(s, &genid);
                nft_socket_free(s);
                if (r < 0) {
                        printf("skip: no nf_tables here: %s\n", strerror(-r));
                        return 77;
                }
        }

        sr = srunner_create(nft_netlink_suite());
        srunner_run_all(sr, CK_NORMAL);
        n_failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
