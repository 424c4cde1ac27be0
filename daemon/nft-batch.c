/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft-batch: the messages a compile produces and a commit sends, as
 * netlink bytes in pages, each written once, where it is sent from; and
 * the dumps a decompile reads.
 *
 * Serialising as objects are made, and freeing them right after, keeps a
 * big ruleset's memory to its bytes on the wire (about 540 bytes a rule)
 * plus 40 bytes of bookkeeping, instead of a libnftnl object tree per rule
 * held until the commit. Pure: no socket here.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/common.h>
#include <libnftnl/expr.h>

#include "macro.h"
#include "nft-batch.h"

/* Where the batch ends, to take back a message (or a set's several) that could not be completed. */
typedef struct BatchMark {
        size_t n_pages;
        size_t page_len;
        uint64_t n_bytes;
        uint32_t n_seqs;
} BatchMark;

static BatchMark batch_mark(const NftBatch *b) {
        return (BatchMark){
                .n_pages = b->n_pages,
                .page_len = b->n_pages > 0 ? b->pages[b->n_pages - 1].iov_len : 0,
                .n_bytes = b->n_bytes,
                .n_seqs = b->n_seqs,
        };
}

static void batch_rewind(NftBatch *b, const BatchMark *m) {
        while (b->n_pages > m->n_pages)
                free(b->pages[--b->n_pages].iov_base);
        if (b->n_pages > 0)
                b->pages[b->n_pages - 1].iov_len = m->page_len;
        b->n_bytes = m->n_bytes;
        b->n_seqs = m->n_seqs;
}

void nft_batch_deinit(NftBatch *b) {
        if (!b)
                return;
        for (size_t i = 0; i < b->n_pages; i++)
                free(b->pages[i].iov_base);
        free(b->pages);
        free(b->messages);
        *b = NFT_BATCH_INIT;
}

/*
 * The header of the next message, where the largest message still fits
 * (a new page if need be): libnftnl writes payloads without a bound, so
 * the room must be there before, and a message never moves once written.
 */
static struct nlmsghdr *batch_message_start(NftBatch *b, uint16_t type, uint32_t family, uint16_t flags) {
        struct iovec *page = b->n_pages > 0 ? &b->pages[b->n_pages - 1] : NULL;

        if (!page || page->iov_len + NFT_BATCH_MESSAGE_MAX > NFT_BATCH_PAGE_SIZE) {
                void *data;

                if (b->n_pages == b->n_pages_allocated) {
                        size_t n = b->n_pages_allocated ? b->n_pages_allocated * 2 : 8;
                        struct iovec *p = reallocarray(b->pages, n, sizeof(struct iovec));
                        if (!p)
                                return NULL;
                        b->pages = p;
                        b->n_pages_allocated = n;
                }
                data = malloc(NFT_BATCH_PAGE_SIZE);
                if (!data)
                        return NULL;
                page = &b->pages[b->n_pages++];
                *page = (struct iovec){ .iov_base = data };
        }
        return nftnl_nlmsg_build_hdr((char *)page->iov_base + page->iov_len, type, (uint16_t)family, flags,
                                     ++b->n_seqs);
}

/* The message written after its header is done: the page holds it. */
static void batch_message_end(NftBatch *b, const struct nlmsghdr *nlh) {
        b->pages[b->n_pages - 1].iov_len += nlh->nlmsg_len;
        b->n_bytes += nlh->nlmsg_len;
}

static int batch_add_message(NftBatch *b, NftMessageKind kind, struct nlmsghdr *nlh, const SourceLoc *loc,
                             uint64_t handle) {
        if (b->n_messages == b->n_allocated) {
                size_t n = b->n_allocated ? b->n_allocated * 2 : 64;
                NftMessage *m = reallocarray(b->messages, n, sizeof(NftMessage));
                if (!m)
                        return -ENOMEM;
                b->messages = m;
                b->n_allocated = n;
        }
        b->messages[b->n_messages++] = (NftMessage){
                .kind = kind,
                .nlh = nlh,
                .seq = nlh->nlmsg_seq,
                .loc = loc ? *loc : SOURCE_LOC_NULL,
                .handle = handle,
                .replay = b->replay,
        };
        if (kind == NFT_MESSAGE_NEW_RULE)
                b->n_rules++;
        return 0;
}

/* The kernel's limit on names; longer ones could not fit the room a message is given either. */
static bool name_ok(const char *name) {
        return name && strnlen(name, NFT_NAME_MAXLEN) < NFT_NAME_MAXLEN;
}

/* A message whose payload one libnftnl object writes (none of them changes the object). */
typedef void (*PayloadFn)(struct nlmsghdr *nlh, const void *object);

static void table_payload(struct nlmsghdr *nlh, const void *object) {
        nftnl_table_nlmsg_build_payload(nlh, object);
}

static void chain_payload(struct nlmsghdr *nlh, const void *object) {
        nftnl_chain_nlmsg_build_payload(nlh, object);
}

static void rule_payload(struct nlmsghdr *nlh, const void *object) {
        nftnl_rule_nlmsg_build_payload(nlh, (struct nftnl_rule *)object);
}

static void obj_payload(struct nlmsghdr *nlh, const void *object) {
        nftnl_obj_nlmsg_build_payload(nlh, (struct nftnl_obj *)object);
}

static void set_payload(struct nlmsghdr *nlh, const void *object) {
        nftnl_set_nlmsg_build_payload(nlh, (struct nftnl_set *)object);
}

/* One message, all of it or nothing. */
static int batch_add_object(NftBatch *b, NftMessageKind kind, uint16_t type, uint32_t family, uint16_t flags,
                            PayloadFn payload, const void *object, const SourceLoc *loc, uint64_t handle) {
        BatchMark mark = batch_mark(b);
        struct nlmsghdr *nlh;
        int r;

        nlh = batch_message_start(b, type, family, flags);
        if (!nlh)
                return -ENOMEM;
        payload(nlh, object);
        batch_message_end(b, nlh);
        r = batch_add_message(b, kind, nlh, loc, handle);
        if (r < 0)
                batch_rewind(b, &mark);
        return r;
}

/**
 * nft_batch_add_table() - serialise a NEWTABLE or DELTABLE message
 * @b: the batch
 * @kind: NFT_MESSAGE_NEW_TABLE (created if missing) or NFT_MESSAGE_DEL_TABLE
 * @table: family and name; stays the caller's
 * @loc: what to blame if the kernel refuses it, or NULL
 *
 * Return: 0, -EINVAL, or -ENOMEM; nothing added on failure.
 */
int nft_batch_add_table(NftBatch *b, NftMessageKind kind, const struct nftnl_table *table, const SourceLoc *loc) {
        if (kind != NFT_MESSAGE_NEW_TABLE && kind != NFT_MESSAGE_DEL_TABLE)
                return -EINVAL;
        if (!nftnl_table_is_set(table, NFTNL_TABLE_FAMILY) || !name_ok(nftnl_table_get_str(table, NFTNL_TABLE_NAME)))
                return -EINVAL;
        /* A deletion is never echoed: the kernel would send a notification for every rule deleted. */
        return batch_add_object(b, kind, kind == NFT_MESSAGE_NEW_TABLE ? NFT_MSG_NEWTABLE : NFT_MSG_DELTABLE,
                                nftnl_table_get_u32(table, NFTNL_TABLE_FAMILY),
                                kind == NFT_MESSAGE_NEW_TABLE ? NLM_F_CREATE : 0, table_payload, table, loc, 0);
}

/**
 * nft_batch_add_chain() - serialise a NEWCHAIN message (created if missing)
 * @b: the batch
 * @chain: family, table and name, and for a base chain its hook; stays the caller's
 * @loc: what to blame if the kernel refuses it, or NULL
 * @handle: the handle the chain will get, or 0
 *
 * Return: 0, -EINVAL, or -ENOMEM; nothing added on failure.
 */
int nft_batch_add_chain(NftBatch *b, const struct nftnl_chain *chain, const SourceLoc *loc, uint64_t handle) {
        if (!nftnl_chain_is_set(chain, NFTNL_CHAIN_FAMILY) ||
            !name_ok(nftnl_chain_get_str(chain, NFTNL_CHAIN_TABLE)) ||
            !name_ok(nftnl_chain_get_str(chain, NFTNL_CHAIN_NAME)))
                return -EINVAL;
        return batch_add_object(b, NFT_MESSAGE_NEW_CHAIN, NFT_MSG_NEWCHAIN,
                                nftnl_chain_get_u32(chain, NFTNL_CHAIN_FAMILY),
                                NLM_F_CREATE | (b->echo ? NLM_F_ECHO : 0), chain_payload, chain, loc, handle);
}

static void nftnl_set_elems_iter_cleanup(struct nftnl_set_elems_iter **i) {
        if (*i)
                nftnl_set_elems_iter_destroy(*i);
}

/**
 * nft_batch_add_set() - serialise a NEWSET message and its elements
 * @b: the batch
 * @set: family, table, name, key, and the elements; stays the caller's
 * @loc: what to blame if the kernel refuses it, or NULL
 * @handle: the handle the set will get, or 0
 *
 * The elements go in as many NEWSETELEM messages as their 16-bit
 * attribute length needs, each with its own sequence number; errors on
 * any of them are the set's.
 *
 * Return: 0, -EINVAL, or -ENOMEM; nothing added on failure.
 */
int nft_batch_add_set(NftBatch *b, struct nftnl_set *set, const SourceLoc *loc, uint64_t handle) {
        _cleanup_(nftnl_set_elems_iter_cleanup) struct nftnl_set_elems_iter *iter = NULL;
        BatchMark mark = batch_mark(b);
        struct nlmsghdr *nlh, *first;
        uint32_t family;
        int r;

        if (!nftnl_set_is_set(set, NFTNL_SET_FAMILY) || !name_ok(nftnl_set_get_str(set, NFTNL_SET_TABLE)) ||
            !name_ok(nftnl_set_get_str(set, NFTNL_SET_NAME)))
                return -EINVAL;
        family = nftnl_set_get_u32(set, NFTNL_SET_FAMILY);
        iter = nftnl_set_elems_iter_create(set);
        if (!iter)
                return -ENOMEM;

        first = batch_message_start(b, NFT_MSG_NEWSET, family, NLM_F_CREATE | NLM_F_EXCL);
        if (!first)
                return -ENOMEM;
        nftnl_set_nlmsg_build_payload(first, set);
        batch_message_end(b, first);

        /*
         * Each message stops before its elements nest outgrows the 16-bit
         * attribute length; the iterator resumes where it stopped. Not
         * NLM_F_EXCL: a duplicate element is harmless, not an error.
         */
        while (nftnl_set_elems_iter_cur(iter)) {
                int more;

                nlh = batch_message_start(b, NFT_MSG_NEWSETELEM, family, NLM_F_CREATE);
                if (!nlh) {
                        batch_rewind(b, &mark);
                        return -ENOMEM;
                }
                more = nftnl_set_elems_nlmsg_build_payload_iter(nlh, iter);
                batch_message_end(b, nlh);
                if (more <= 0)
                        break;
        }

        r = batch_add_message(b, NFT_MESSAGE_NEW_SET, first, loc, handle);
        if (r < 0)
                batch_rewind(b, &mark);
        return r;
}

static int rule_count_expr(struct nftnl_expr *e, void *userdata) {
        (*(unsigned *)userdata)++;
        return 0;
}

/**
 * nft_batch_add_obj() - serialise a NEWOBJ message (created if missing)
 * @b: the batch
 * @obj: family, table, name, type and its data; stays the caller's
 * @loc: what to blame if the kernel refuses it (the first rule using it)
 * @handle: the handle the object will get, or 0
 *
 * Return: 0, -EINVAL, or -ENOMEM; nothing added on failure.
 */
int nft_batch_add_obj(NftBatch *b, struct nftnl_obj *obj, const SourceLoc *loc, uint64_t handle) {
        if (!nftnl_obj_is_set(obj, NFTNL_OBJ_FAMILY) || !nftnl_obj_is_set(obj, NFTNL_OBJ_TYPE) ||
            !name_ok(nftnl_obj_get_str(obj, NFTNL_OBJ_TABLE)) || !name_ok(nftnl_obj_get_str(obj, NFTNL_OBJ_NAME)))
                return -EINVAL;
        return batch_add_object(b, NFT_MESSAGE_NEW_OBJ, NFT_MSG_NEWOBJ, nftnl_obj_get_u32(obj, NFTNL_OBJ_FAMILY),
                                NLM_F_CREATE, obj_payload, obj, loc, handle);
}

static int batch_add_rule(NftBatch *b, struct nftnl_rule *rule, uint16_t flags, const SourceLoc *loc,
                          uint64_t handle) {
        uint32_t udata_len = 0;
        unsigned n_exprs = 0;

        if (!nftnl_rule_is_set(rule, NFTNL_RULE_FAMILY) || !name_ok(nftnl_rule_get_str(rule, NFTNL_RULE_TABLE)) ||
            !name_ok(nftnl_rule_get_str(rule, NFTNL_RULE_CHAIN)))
                return -EINVAL;
        nftnl_expr_foreach(rule, rule_count_expr, &n_exprs);
        if (nftnl_rule_is_set(rule, NFTNL_RULE_USERDATA))
                (void)nftnl_rule_get_data(rule, NFTNL_RULE_USERDATA, &udata_len);
        if (n_exprs > NFT_RULE_MAX_EXPRS || udata_len > NFT_UDATA_MAX)
                return -E2BIG;

        return batch_add_object(b, NFT_MESSAGE_NEW_RULE, NFT_MSG_NEWRULE, nftnl_rule_get_u32(rule, NFTNL_RULE_FAMILY),
                                flags | (b->echo ? NLM_F_ECHO : 0), rule_payload, rule, loc, handle);
}

/**
 * nft_batch_add_rule() - serialise a NEWRULE message, appending the rule to its chain
 * @b: the batch
 * @rule: family, table, chain, expressions, userdata; stays the caller's
 * @loc: what to blame if the kernel refuses it, or NULL
 * @handle: the handle the rule will get, or 0
 *
 * Return: 0, -EINVAL, -E2BIG (more expressions or userdata than the
 * kernel takes, which could also overrun the room a message has), or
 * -ENOMEM; nothing added on failure.
 */
int nft_batch_add_rule(NftBatch *b, struct nftnl_rule *rule, const SourceLoc *loc, uint64_t handle) {
        return batch_add_rule(b, rule, NLM_F_CREATE | NLM_F_APPEND, loc, handle);
}

/**
 * nft_batch_add_rule_at() - serialise a NEWRULE message that puts the rule at a place
 * @b: the batch
 * @rule: as for nft_batch_add_rule(), without handle or position; stays the caller's, as it was
 * @place: where
 * @ref: the handle of the rule BEFORE and REPLACE refer to
 * @loc: what to blame if the kernel refuses it, or NULL
 *
 * The kernel numbers a new rule itself (an echo tells the number); a
 * replacing rule keeps the handle of the one it replaces.
 *
 * Return: as nft_batch_add_rule(); -EINVAL also for a place without its reference.
 */
int nft_batch_add_rule_at(NftBatch *b, struct nftnl_rule *rule, NftRulePlace place, uint64_t ref,
                          const SourceLoc *loc) {
        int r;

        switch (place) {
        case NFT_RULE_APPEND:
                return batch_add_rule(b, rule, NLM_F_CREATE | NLM_F_APPEND, loc, 0);
        case NFT_RULE_BEFORE:
                if (ref == 0)
                        return -EINVAL;
                /* without NLM_F_APPEND, a position means "in front of" */
                nftnl_rule_set_u64(rule, NFTNL_RULE_POSITION, ref);
                r = batch_add_rule(b, rule, NLM_F_CREATE, loc, 0);
                nftnl_rule_unset(rule, NFTNL_RULE_POSITION);
                return r;
        case NFT_RULE_REPLACE:
                if (ref == 0)
                        return -EINVAL;
                nftnl_rule_set_u64(rule, NFTNL_RULE_HANDLE, ref);
                r = batch_add_rule(b, rule, NLM_F_REPLACE, loc, ref);
                nftnl_rule_unset(rule, NFTNL_RULE_HANDLE);
                return r;
        case _NFT_RULE_PLACE_MAX:
        case _NFT_RULE_PLACE_INVALID:
                break;
        }
        return -EINVAL;
}

/**
 * nft_batch_del_rule() - serialise a DELRULE message
 * @b: the batch
 * @family: NFPROTO_*
 * @table: the table's name
 * @chain: the chain's name
 * @handle: the rule's handle; 0 for every rule of the chain (a flush)
 * @loc: what to blame if the kernel refuses it, or NULL
 *
 * Return: 0, -EINVAL, or -ENOMEM; nothing added on failure.
 */
int nft_batch_del_rule(NftBatch *b, int family, const char *table, const char *chain, uint64_t handle,
                       const SourceLoc *loc) {
        struct nftnl_rule *rule;
        int r;

        if (!name_ok(table) || !name_ok(chain))
                return -EINVAL;
        rule = nftnl_rule_alloc();
        if (!rule)
                return -ENOMEM;
        nftnl_rule_set_str(rule, NFTNL_RULE_TABLE, table);
        nftnl_rule_set_str(rule, NFTNL_RULE_CHAIN, chain);
        if (handle != 0)
                nftnl_rule_set_u64(rule, NFTNL_RULE_HANDLE, handle);
        r = batch_add_object(b, NFT_MESSAGE_DEL_RULE, NFT_MSG_DELRULE, (uint32_t)family, 0, rule_payload, rule, loc,
                             handle);
        nftnl_rule_free(rule);
        return r;
}

/**
 * nft_batch_del_set() - serialise a DELSET message
 * @b: the batch
 * @family: NFPROTO_*
 * @table: the table's name
 * @set: the set's name
 * @loc: what to blame if the kernel refuses it, or NULL
 *
 * Return: 0, -EINVAL, or -ENOMEM; nothing added on failure.
 */
int nft_batch_del_set(NftBatch *b, int family, const char *table, const char *set, const SourceLoc *loc) {
        struct nftnl_set *object;
        int r;

        if (!name_ok(table) || !name_ok(set))
                return -EINVAL;
        object = nftnl_set_alloc();
        if (!object)
                return -ENOMEM;
        nftnl_set_set_str(object, NFTNL_SET_TABLE, table);
        nftnl_set_set_str(object, NFTNL_SET_NAME, set);
        r = batch_add_object(b, NFT_MESSAGE_DEL_SET, NFT_MSG_DELSET, (uint32_t)family, 0, set_payload, object, loc, 0);
        nftnl_set_free(object);
        return r;
}

/**
 * nft_batch_del_chain() - serialise a DELCHAIN message
 * @b: the batch
 * @family: NFPROTO_*
 * @table: the table's name
 * @chain: the chain's name
 * @loc: what to blame if the kernel refuses it, or NULL
 *
 * Return: 0, -EINVAL, or -ENOMEM; nothing added on failure.
 */
int nft_batch_del_chain(NftBatch *b, int family, const char *table, const char *chain, const SourceLoc *loc) {
        struct nftnl_chain *object;
        int r;

        if (!name_ok(table) || !name_ok(chain))
                return -EINVAL;
        object = nftnl_chain_alloc();
        if (!object)
                return -ENOMEM;
        nftnl_chain_set_str(object, NFTNL_CHAIN_TABLE, table);
        nftnl_chain_set_str(object, NFTNL_CHAIN_NAME, chain);
        r = batch_add_object(b, NFT_MESSAGE_DEL_CHAIN, NFT_MSG_DELCHAIN, (uint32_t)family, 0, chain_payload, object,
                             loc, 0);
        nftnl_chain_free(object);
        return r;
}

/**
 * nft_batch_find_seq() - the message a sequence number belongs to
 * @b: the batch
 * @seq: a sequence number from a reply
 *
 * Return: the message (a set for any of its element messages' numbers
 * too), or NULL.
 */
NftMessage *nft_batch_find_seq(NftBatch *b, uint32_t seq) {
        size_t lo = 0, hi = b->n_messages;

        if (b->n_messages == 0 || seq < b->messages[0].seq || seq > b->n_seqs)
                return NULL;
        /* The last message whose first number is <= seq. */
        while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;

                if (b->messages[mid].seq <= seq)
                        lo = mid;
                else
                        hi = mid;
        }
        return &b->messages[lo];
}

/**
 * nft_batch_set_echo() - have the kernel echo every rule, or not
 * @b: the batch
 * @echo: whether to
 *
 * Rules are serialised without echo (unless asked for before they were
 * added): the handles are predicted, and an echo per rule costs the
 * kernel a fifth more time. Setting it afterwards rewrites one header per
 * rule.
 */
void nft_batch_set_echo(NftBatch *b, bool echo) {
        if (b->echo == echo)
                return;
        for (size_t i = 0; i < b->n_messages; i++)
                if (b->messages[i].kind == NFT_MESSAGE_NEW_RULE || b->messages[i].kind == NFT_MESSAGE_NEW_CHAIN) {
                        if (echo)
                                b->messages[i].nlh->nlmsg_flags |= NLM_F_ECHO;
                        else
                                b->messages[i].nlh->nlmsg_flags &= (uint16_t)~NLM_F_ECHO;
                }
        b->echo = echo;
}

void nft_table_dump_deinit(NftTableDump *d) {
        if (!d)
                return;
        if (d->table)
                nftnl_table_free(d->table);
        if (d->chains)
                nftnl_chain_list_free(d->chains);
        if (d->sets)
                nftnl_set_list_free(d->sets);
        if (d->rules)
                nftnl_rule_list_free(d->rules);
        *d = (NftTableDump){};
}
