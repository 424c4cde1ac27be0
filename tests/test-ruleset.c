/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-ruleset: the model's operations. Tables with their built-in chains
 * in hook order, user chains kept sorted, chain lookup, add, remove and
 * rename, rules inserted and taken at positions, jump references,
 * rule_dup/rule_equal (specification only: counters, location and handle
 * ignored), rule_pack, rule counts; the enum string tables; and the
 * extension registry (every MatchType and TargetType has its extension,
 * findable by name, with unambiguous option prefixes).
 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ext-misc.h"
#include "ruleset-ext.h"
#include "ruleset-names.h"
#include "ruleset-parse.h"
#include "ruleset-print.h"
#include "ruleset.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

static Table *new_table(Ruleset **ret_rs, Family family, TableType type) {
        Ruleset *rs = NULL;
        Table *t = NULL;

        ck_assert_int_eq(ruleset_new(&rs), 0);
        ck_assert_int_eq(ruleset_ensure_table(rs, family, type, NULL, &t), 0);
        ck_assert_ptr_nonnull(t);
        *ret_rs = rs;
        return t;
}

/* Chain names of a table, space-separated. */
static char *chain_names(const Table *t) {
        StrBuf b = STRBUF_INIT;
        char *s;

        for (size_t i = 0; i < t->n_chains; i++) {
                if (i > 0)
                        strbuf_putc(&b, ' ');
                strbuf_puts(&b, t->chains[i]->name);
        }
        s = strdup(strbuf_str(&b));
        strbuf_deinit(&b);
        return s;
}

static void assert_chain_names(const Table *t, const char *expected) {
        char *s = chain_names(t);
        ck_assert_str_eq(s, expected);
        free(s);
}

/* One rule from an iptables command line, e.g. "-A INPUT -p tcp -j ACCEPT". */
static Rule *parse_rule(Family family, const char *line) {
        DiagList diags = DIAG_LIST_INIT;
        ParseContext ctx = { .family = family, .file = "test", .line = 1, .table = TABLE_FILTER, .diags = &diags };
        Command cmd = COMMAND_INIT;
        TokenBuffer tb = TOKEN_BUFFER_INIT;
        Rule *r;

        ck_assert_int_eq(line_tokenize(&ctx, line, strlen(line), &tb), 0);
        if (command_parse(&ctx, tb.tokens, tb.n_tokens, &cmd) < 0) {
                ck_assert_uint_gt(diags.n_items, 0);
                ck_abort_msg("cannot parse \"%s\": %s", line, diags.items[0].message);
        }
        ck_assert_uint_eq(diags.n_items, 0);
        ck_assert_ptr_nonnull(cmd.rule);
        r = TAKE_PTR(cmd.rule);
        command_deinit(&cmd);
        token_buffer_deinit(&tb);
        diag_list_deinit(&diags);
        return r;
}

static char *rule_spec(const Rule *r, Family family) {
        StrBuf b = STRBUF_INIT;
        char *s;

        rule_print_spec(r, family, &b);
        s = strdup(strbuf_str(&b));
        strbuf_deinit(&b);
        return s;
}

static Rule *jump_rule(const char *chain, bool go) {
        Rule *r = NULL;
        Target *t = NULL;

        ck_assert_int_eq(rule_new(&r), 0);
        ck_assert_int_eq(rule_set_target(r, extension_by_target_type(go ? TARGET_GOTO : TARGET_JUMP), 0, &t), 0);
        snprintf(((TargetChain *)target_data(t))->chain, CHAIN_NAME_MAX + 1, "%s", chain);
        return r;
}

static Rule *counting_rule(uint64_t packets) {
        Rule *r = NULL;

        ck_assert_int_eq(rule_new(&r), 0);
        r->counters.packets = packets;
        return r;
}

/* ---- tables ---- */

static const struct {
        TableType type;
        const char *chains;
        unsigned hooks;
} builtin_cases[] = {
        { TABLE_FILTER, "INPUT FORWARD OUTPUT", HOOK_BIT(HOOK_INPUT) | HOOK_BIT(HOOK_FORWARD) | HOOK_BIT(HOOK_OUTPUT) },
        { TABLE_NAT, "PREROUTING INPUT OUTPUT POSTROUTING",
          HOOK_BIT(HOOK_PREROUTING) | HOOK_BIT(HOOK_INPUT) | HOOK_BIT(HOOK_OUTPUT) | HOOK_BIT(HOOK_POSTROUTING) },
        { TABLE_MANGLE, "PREROUTING INPUT FORWARD OUTPUT POSTROUTING", HOOK_ANY },
        { TABLE_RAW, "PREROUTING OUTPUT", HOOK_BIT(HOOK_PREROUTING) | HOOK_BIT(HOOK_OUTPUT) },
        { TABLE_SECURITY, "INPUT FORWARD OUTPUT",
          HOOK_BIT(HOOK_INPUT) | HOOK_BIT(HOOK_FORWARD) | HOOK_BIT(HOOK_OUTPUT) },
};

START_TEST(test_builtin_chains) {
        for (Family f = 0; f < _FAMILY_MAX; f++) {
                Ruleset *rs;
                Table *t = new_table(&rs, f, builtin_cases[_i].type);

                ck_assert_int_eq(t->family, f);
                ck_assert_int_eq(t->type, builtin_cases[_i].type);
                assert_chain_names(t, builtin_cases[_i].chains);
                ck_assert_uint_eq(table_type_hooks(builtin_cases[_i].type), builtin_cases[_i].hooks);
                for (size_t i = 0; i < t->n_chains; i++) {
                        const Chain *c = t->chains[i];
                        ck_assert(c->builtin);
                        ck_assert_str_eq(c->name, hook_to_string(c->hook));
                        ck_assert_int_eq(c->policy, POLICY_ACCEPT);
                        ck_assert_uint_eq(c->n_rules, 0);
                        ck_assert_uint_eq(c->counters.packets, 0);
                        ck_assert_ptr_eq(c->table, t);
                        ck_assert(table_has_builtin(t->type, c->hook));
                        if (i > 0)
                                ck_assert_int_lt(t->chains[i - 1]->hook, c->hook);
                }
                for (Hook h = 0; h < _HOOK_MAX; h++)
                        ck_assert_int_eq(table_has_builtin(t->type, h), !!(builtin_cases[_i].hooks & HOOK_BIT(h)));
                ruleset_free(rs);
        }
}
END_TEST

START_TEST(test_ensure_table) {
        Ruleset *rs = NULL;
        Table *t1 = NULL, *t2 = NULL, *t3 = NULL;
        SourceLoc loc = { "f", 3, 1 };

        ck_assert_int_eq(ruleset_new(&rs), 0);
        ck_assert_ptr_null(ruleset_get_table(rs, FAMILY_IPV4, TABLE_FILTER));
        ck_assert_int_eq(ruleset_ensure_table(rs, FAMILY_IPV4, TABLE_FILTER, &loc, &t1), 0);
        ck_assert_uint_eq(t1->loc.line, 3);
        ck_assert_uint_eq(t1->chains[0]->loc.line, 3);
        ck_assert_ptr_eq(ruleset_get_table(rs, FAMILY_IPV4, TABLE_FILTER), t1);
        /* a second ensure keeps the table */
        ck_assert_int_eq(table_add_chain(t1, "mine", NULL, NULL), 0);
        ck_assert_int_eq(ruleset_ensure_table(rs, FAMILY_IPV4, TABLE_FILTER, NULL, &t2), 0);
        ck_assert_ptr_eq(t1, t2);
        ck_assert_uint_eq(t2->n_chains, 4);
        ck_assert_int_eq(ruleset_ensure_table(rs, FAMILY_IPV4, TABLE_NAT, NULL, NULL), 0);
        ck_assert_ptr_nonnull(ruleset_get_table(rs, FAMILY_IPV4, TABLE_NAT));
        /* families are apart */
        ck_assert_ptr_null(ruleset_get_table(rs, FAMILY_IPV6, TABLE_FILTER));
        ck_assert_int_eq(ruleset_ensure_table(rs, FAMILY_IPV6, TABLE_FILTER, NULL, &t3), 0);
        ck_assert_ptr_ne(t3, t1);
        ck_assert_int_eq(t3->family, FAMILY_IPV6);
        /* out of range */
        ck_assert_ptr_null(ruleset_get_table(rs, _FAMILY_MAX, TABLE_FILTER));
        ck_assert_ptr_null(ruleset_get_table(rs, FAMILY_IPV4, _TABLE_TYPE_MAX));
        ck_assert_ptr_null(ruleset_get_table(rs, _FAMILY_INVALID, TABLE_FILTER));
        ruleset_free(rs);
        ck_assert_ptr_null(ruleset_free(NULL));
}
END_TEST

START_TEST(test_reset_remove_table) {
        Ruleset *rs;
        Table *t = new_table(&rs, FAMILY_IPV4, TABLE_NAT), *fresh = NULL;

        ck_assert_int_eq(table_add_chain(t, "x", NULL, NULL), 0);
        ck_assert_int_eq(chain_insert_rule(t->chains[0], 0, counting_rule(1)), 0);
        t->chains[0]->policy = POLICY_DROP;
        ck_assert_uint_eq(ruleset_count_rules(rs), 1);
        ck_assert_int_eq(ruleset_reset_table(rs, FAMILY_IPV4, TABLE_NAT, NULL, &fresh), 0);
        ck_assert_ptr_eq(ruleset_get_table(rs, FAMILY_IPV4, TABLE_NAT), fresh);
        assert_chain_names(fresh, "PREROUTING INPUT OUTPUT POSTROUTING");
        ck_assert_int_eq(fresh->chains[0]->policy, POLICY_ACCEPT);
        ck_assert_uint_eq(ruleset_count_rules(rs), 0);
        /* reset also creates */
        ck_assert_int_eq(ruleset_reset_table(rs, FAMILY_IPV6, TABLE_RAW, NULL, NULL), 0);
        ck_assert_ptr_nonnull(ruleset_get_table(rs, FAMILY_IPV6, TABLE_RAW));
        ruleset_remove_table(rs, FAMILY_IPV4, TABLE_NAT);
        ck_assert_ptr_null(ruleset_get_table(rs, FAMILY_IPV4, TABLE_NAT));
        /* removing an absent table is fine */
        ruleset_remove_table(rs, FAMILY_IPV4, TABLE_NAT);
        ruleset_free(rs);
}
END_TEST

START_TEST(test_intern_file) {
        Ruleset *rs = NULL;
        char name[] = "rules.v4";
        const char *a, *b, *c;

        ck_assert_int_eq(ruleset_new(&rs), 0);
        a = ruleset_intern_file(rs, name);
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_ne(a, name);
        ck_assert_str_eq(a, "rules.v4");
        b = ruleset_intern_file(rs, "rules.v4");
        ck_assert_ptr_eq(a, b);
        c = ruleset_intern_file(rs, "rules.v6");
        ck_assert_ptr_ne(a, c);
        ck_assert_uint_eq(rs->n_files, 2);
        ck_assert_ptr_null(ruleset_intern_file(rs, NULL));
        name[0] = 'X';
        ck_assert_str_eq(a, "rules.v4");
        ruleset_free(rs);
}
END_TEST

START_TEST(test_count_rules) {
        Ruleset *rs = NULL;
        Table *f4 = NULL, *n4 = NULL, *f6 = NULL;
        Chain *u = NULL;

        ck_assert_int_eq(ruleset_new(&rs), 0);
        ck_assert_uint_eq(ruleset_count_rules(rs), 0);
        ck_assert_int_eq(ruleset_ensure_table(rs, FAMILY_IPV4, TABLE_FILTER, NULL, &f4), 0);
        ck_assert_int_eq(ruleset_ensure_table(rs, FAMILY_IPV4, TABLE_NAT, NULL, &n4), 0);
        ck_assert_int_eq(ruleset_ensure_table(rs, FAMILY_IPV6, TABLE_FILTER, NULL, &f6), 0);
        ck_assert_uint_eq(ruleset_count_rules(rs), 0);
        ck_assert_int_eq(table_add_chain(f4, "user", NULL, &u), 0);
        for (int i = 0; i < 3; i++)
                ck_assert_int_eq(chain_insert_rule(f4->chains[0], 0, counting_rule(0)), 0);
        ck_assert_int_eq(chain_insert_rule(u, 0, counting_rule(0)), 0);
        ck_assert_int_eq(chain_insert_rule(n4->chains[3], 0, counting_rule(0)), 0);
        ck_assert_int_eq(chain_insert_rule(f6->chains[2], 0, counting_rule(0)), 0);
        ck_assert_int_eq(chain_insert_rule(f6->chains[2], 1, counting_rule(0)), 0);
        ck_assert_uint_eq(ruleset_count_rules(rs), 7);
        chain_flush(f4->chains[0]);
        ck_assert_uint_eq(f4->chains[0]->n_rules, 0);
        ck_assert_uint_eq(ruleset_count_rules(rs), 4);
        ruleset_free(rs);
}
END_TEST

/* ---- chains ---- */

START_TEST(test_user_chains_sorted) {
        static const char *const add[] = { "zeta", "alpha", "MID", "beta", "a", "alpha2", "Z", "_x", "0num" };
        Ruleset *rs;
        Table *t = new_table(&rs, FAMILY_IPV4, TABLE_FILTER);
        Chain *c = NULL;

        for (size_t i = 0; i < N_ELEMENTS(add); i++) {
                ck_assert_int_eq(table_add_chain(t, add[i], NULL, &c), 0);
                ck_assert_str_eq(c->name, add[i]);
                ck_assert(!c->builtin);
                ck_assert_ptr_eq(c->table, t);
        }
        /* built-ins first in hook order, then user chains in strcmp() order */
        assert_chain_names(t, "INPUT FORWARD OUTPUT 0num MID Z _x a alpha alpha2 beta zeta");
        for (size_t i = 0; i < N_ELEMENTS(add); i++) {
                c = table_find_chain(t, add[i]);
                ck_assert_ptr_nonnull(c);
                ck_assert_str_eq(c->name, add[i]);
        }
        ruleset_free(rs);
}
END_TEST

START_TEST(test_find_chain) {
        Ruleset *rs;
        Table *t = new_table(&rs, FAMILY_IPV4, TABLE_MANGLE);
        Chain *c;

        c = table_find_chain(t, "POSTROUTING");
        ck_assert_ptr_nonnull(c);
        ck_assert(c->builtin);
        ck_assert_int_eq(c->hook, HOOK_POSTROUTING);
        ck_assert_ptr_null(table_find_chain(t, "input"));
        ck_assert_ptr_null(table_find_chain(t, "INPUT2"));
        ck_assert_ptr_null(table_find_chain(t, ""));
        ck_assert_ptr_null(table_find_chain(t, "nothere"));
        ck_assert_int_eq(table_add_chain(t, "nothere2", NULL, NULL), 0);
        ck_assert_ptr_null(table_find_chain(t, "nothere"));
        ck_assert_ptr_nonnull(table_find_chain(t, "nothere2"));
        ruleset_free(rs);
}
END_TEST

START_TEST(test_add_chain_errors) {
        Ruleset *rs;
        Table *t = new_table(&rs, FAMILY_IPV4, TABLE_FILTER);
        SourceLoc loc = { "f", 9, 2 };
        Chain *c = NULL;
        char name[CHAIN_NAME_MAX + 2];

        ck_assert_int_eq(table_add_chain(t, "dup", &loc, &c), 0);
        ck_assert_uint_eq(c->loc.line, 9);
        ck_assert_uint_eq(c->loc.column, 2);
        ck_assert_int_eq(table_add_chain(t, "dup", NULL, NULL), -EEXIST);
        ck_assert_int_eq(table_add_chain(t, "INPUT", NULL, NULL), -EEXIST);
        /* 28 characters fit, 29 do not */
        memset(name, 'n', CHAIN_NAME_MAX);
        name[CHAIN_NAME_MAX] = 0;
        ck_assert_int_eq(table_add_chain(t, name, NULL, NULL), 0);
        name[CHAIN_NAME_MAX] = 'n';
        name[CHAIN_NAME_MAX + 1] = 0;
        ck_assert_int_eq(table_add_chain(t, name, NULL, NULL), -ENAMETOOLONG);
        ck_assert_uint_eq(t->n_chains, 5);
        ruleset_free(rs);
}
END_TEST

START_TEST(test_remove_chain) {
        Ruleset *rs, *other_rs;
        Table *t = new_table(&rs, FAMILY_IPV4, TABLE_FILTER), *other = new_table(&other_rs, FAMILY_IPV4, TABLE_FILTER);
        Chain *b = NULL, *foreign = NULL;

        ck_assert_int_eq(table_add_chain(t, "a", NULL, NULL), 0);
        ck_assert_int_eq(table_add_chain(t, "b", NULL, &b), 0);
        ck_assert_int_eq(table_add_chain(t, "c", NULL, NULL), 0);
        ck_assert_int_eq(chain_insert_rule(b, 0, counting_rule(0)), 0);
        ck_assert_int_eq(table_remove_chain(t, b), 0);
        assert_chain_names(t, "INPUT FORWARD OUTPUT a c");
        ck_assert_ptr_null(table_find_chain(t, "b"));
        ck_assert_ptr_nonnull(table_find_chain(t, "c"));
        /* built-ins stay */
        ck_assert_int_eq(table_remove_chain(t, t->chains[1]), -EINVAL);
        /* a chain of another table */
        ck_assert_int_eq(table_add_chain(other, "a", NULL, &foreign), 0);
        ck_assert_int_eq(table_remove_chain(t, foreign), -EINVAL);
        assert_chain_names(t, "INPUT FORWARD OUTPUT a c");
        assert_chain_names(other, "INPUT FORWARD OUTPUT a");
        ruleset_free(rs);
        ruleset_free(other_rs);
}
END_TEST

START_TEST(test_rename_chain) {
        Ruleset *rs;
        Table *t = new_table(&rs, FAMILY_IPV4, TABLE_FILTER);
        Chain *a = NULL, *z = NULL;
        char name[CHAIN_NAME_MAX + 2];

        ck_assert_int_eq(table_add_chain(t, "apple", NULL, &a), 0);
        ck_assert_int_eq(table_add_chain(t, "mango", NULL, NULL), 0);
        ck_assert_int_eq(table_add_chain(t, "zebra", NULL, &z), 0);
        ck_assert_int_eq(chain_insert_rule(a, 0, counting_rule(5)), 0);
        ck_assert_int_eq(table_rename_chain(t, a, "pear"), 0);
        assert_chain_names(t, "INPUT FORWARD OUTPUT mango pear zebra");
        ck_assert_ptr_eq(table_find_chain(t, "pear"), a);
        ck_assert_ptr_null(table_find_chain(t, "apple"));
        ck_assert_uint_eq(a->n_rules, 1);
        ck_assert_uint_eq(a->rules[0]->counters.packets, 5);
        ck_assert_int_eq(table_rename_chain(t, z, "aardvark"), 0);
        assert_chain_names(t, "INPUT FORWARD OUTPUT aardvark mango pear");
        ck_assert_ptr_eq(table_find_chain(t, "aardvark"), z);
        /* errors leave the table as it was */
        ck_assert_int_eq(table_rename_chain(t, z, "mango"), -EEXIST);
        ck_assert_int_eq(table_rename_chain(t, z, "INPUT"), -EEXIST);
        ck_assert_int_eq(table_rename_chain(t, t->chains[0], "in"), -EINVAL);
        memset(name, 'n', sizeof(name) - 1);
        name[sizeof(name) - 1] = 0;
        ck_assert_int_eq(table_rename_chain(t, z, name), -ENAMETOOLONG);
        assert_chain_names(t, "INPUT FORWARD OUTPUT aardvark mango pear");
        /* renaming to its own name is a name clash too */
        ck_assert_int_eq(table_rename_chain(t, z, "aardvark"), -EEXIST);
        ruleset_free(rs);
}
END_TEST

/* ---- rules in a chain ---- */

static char *chain_rule_ids(const Chain *c) {
        StrBuf b = STRBUF_INIT;
        char *s;

        for (size_t i = 0; i < c->n_rules; i++) {
                if (i > 0)
                        strbuf_putc(&b, ',');
                strbuf_put_u64(&b, c->rules[i]->counters.packets);
        }
        s = strdup(strbuf_str(&b));
        strbuf_deinit(&b);
        return s;
}

static void assert_rule_ids(const Chain *c, const char *expected) {
        char *s = chain_rule_ids(c);
        ck_assert_str_eq(s, expected);
        free(s);
}

START_TEST(test_insert_take) {
        Ruleset *rs;
        Table *t = new_table(&rs, FAMILY_IPV4, TABLE_FILTER);
        Chain *c = t->chains[0];
        Rule *r, *extra = counting_rule(99);

        ck_assert_int_eq(chain_insert_rule(c, 0, counting_rule(1)), 0);         /* 1 */
        ck_assert_int_eq(chain_insert_rule(c, 1, counting_rule(3)), 0);         /* 1,3 */
        ck_assert_int_eq(chain_insert_rule(c, 1, counting_rule(2)), 0);         /* 1,2,3 */
        ck_assert_int_eq(chain_insert_rule(c, 0, counting_rule(0)), 0);         /* 0,1,2,3 */
        ck_assert_int_eq(chain_insert_rule(c, c->n_rules, counting_rule(4)), 0);
        assert_rule_ids(c, "0,1,2,3,4");
        ck_assert_int_eq(chain_insert_rule(c, 6, extra), -ERANGE);
        assert_rule_ids(c, "0,1,2,3,4");
        rule_free(extra);

        r = chain_take_rule(c, 2);
        ck_assert_ptr_nonnull(r);
        ck_assert_uint_eq(r->counters.packets, 2);
        rule_free(r);
        assert_rule_ids(c, "0,1,3,4");
        r = chain_take_rule(c, 3);
        ck_assert_uint_eq(r->counters.packets, 4);
        rule_free(r);
        r = chain_take_rule(c, 0);
        ck_assert_uint_eq(r->counters.packets, 0);
        rule_free(r);
        assert_rule_ids(c, "1,3");
        ck_assert_ptr_null(chain_take_rule(c, 2));
        ck_assert_uint_eq(c->n_rules, 2);

        /* many rules: the array grows and keeps order */
        for (unsigned i = 0; i < 100; i++)
                ck_assert_int_eq(chain_insert_rule(c, c->n_rules, counting_rule(100 + i)), 0);
        ck_assert_uint_eq(c->n_rules, 102);
        ck_assert_uint_eq(c->rules[101]->counters.packets, 199);
        chain_flush(c);
        ck_assert_uint_eq(c->n_rules, 0);
        ck_assert_ptr_null(chain_take_rule(c, 0));
        ruleset_free(rs);
}
END_TEST

START_TEST(test_count_references) {
        Ruleset *rs;
        Table *t = new_table(&rs, FAMILY_IPV4, TABLE_FILTER);
        Chain *a = NULL, *b = NULL;

        ck_assert_int_eq(table_add_chain(t, "a", NULL, &a), 0);
        ck_assert_int_eq(table_add_chain(t, "b", NULL, &b), 0);
        ck_assert_uint_eq(table_count_references(t, "a"), 0);
        ck_assert_int_eq(chain_insert_rule(t->chains[0], 0, jump_rule("a", false)), 0);
        ck_assert_int_eq(chain_insert_rule(t->chains[0], 1, jump_rule("a", true)), 0);
        ck_assert_int_eq(chain_insert_rule(t->chains[2], 0, jump_rule("b", false)), 0);
        ck_assert_int_eq(chain_insert_rule(b, 0, jump_rule("a", false)), 0);
        ck_assert_int_eq(chain_insert_rule(b, 0, counting_rule(0)), 0);
        ck_assert_int_eq(chain_insert_rule(b, 0, parse_rule(FAMILY_IPV4, "-A b -j ACCEPT")), 0);
        ck_assert_uint_eq(table_count_references(t, "a"), 3);
        ck_assert_uint_eq(table_count_references(t, "b"), 1);
        ck_assert_uint_eq(table_count_references(t, "c"), 0);
        /* a target named like a chain is not a jump */
        ck_assert_uint_eq(table_count_references(t, "ACCEPT"), 0);
        ruleset_free(rs);
}
END_TEST

START_TEST(test_find_match) {
        Rule *r = parse_rule(FAMILY_IPV4, "-A INPUT -p tcp --dport 22 -m comment --comment x -m state --state NEW");
        const Match *m;

        m = rule_find_match(r, MATCH_TCP);
        ck_assert_ptr_nonnull(m);
        ck_assert_ptr_eq(m->ext, extension_by_match_type(MATCH_TCP));
        ck_assert_ptr_eq(m, r->matches);
        m = rule_find_match(r, MATCH_STATE);
        ck_assert_ptr_nonnull(m);
        ck_assert_ptr_eq(m->ext, extension_find_match("state"));
        ck_assert_ptr_null(rule_find_match(r, MATCH_UDP));
        ck_assert_ptr_null(r->target);
        rule_free(r);
        ck_assert_ptr_null(rule_free(NULL));
}
END_TEST

/* ---- rule_dup, rule_equal ---- */

static const char *const rich_rules[] = {
        "-A INPUT -j ACCEPT",
        "-A INPUT",
        "-A INPUT -s 10.0.0.0/8 -d 192.168.1.1/32 -i eth0 -o eth1 -p tcp -m tcp --sport 1024:65535 --dport 22 -j ACCEPT",
        "-A INPUT ! -s 10.0.0.0/8 ! -i eth+ -p udp -m udp ! --dport 53 -j DROP",
        "-A INPUT -f -p 47 -j RETURN",
        "-A INPUT -m state --state NEW,ESTABLISHED -m comment --comment \"hello world\" -j LOG --log-prefix \"x: \"",
        "-A INPUT -p icmp -m icmp --icmp-type 8 -m limit --limit 5/sec -j ACCEPT",
        "-A INPUT -m mark --mark 0x1/0xff -j REJECT --reject-with tcp-reset -p tcp",
        "-A INPUT -j somechain",
        "-A INPUT -g somechain",
        "-A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT",
};

START_TEST(test_dup_equal) {
        Rule *r = parse_rule(FAMILY_IPV4, rich_rules[_i]), *d = NULL;
        char *s1, *s2;

        r->counters = (Counters){ 7, 700 };
        r->handle = 42;
        ck_assert_int_eq(rule_dup(r, &d), 0);
        ck_assert_ptr_nonnull(d);
        ck_assert_ptr_ne(d, r);
        ck_assert(rule_equal(r, d));
        ck_assert(rule_equal(d, r));
        ck_assert(rule_equal(r, r));
        /* a deep copy, counters, location and handle included */
        ck_assert_uint_eq(d->counters.packets, 7);
        ck_assert_uint_eq(d->counters.bytes, 700);
        ck_assert_uint_eq(d->handle, 42);
        ck_assert_uint_eq(d->loc.line, r->loc.line);
        for (Match *a = r->matches, *b = d->matches; a || b; a = a->next, b = b->next) {
                ck_assert_ptr_nonnull(a);
                ck_assert_ptr_nonnull(b);
                ck_assert_ptr_ne(a, b);
        }
        if (r->target)
                ck_assert_ptr_ne(r->target, d->target);
        else
                ck_assert_ptr_null(d->target);
        s1 = rule_spec(r, FAMILY_IPV4);
        rule_free(r);
        s2 = rule_spec(d, FAMILY_IPV4);
        ck_assert_str_eq(s1, s2);
        free(s1);
        free(s2);
        rule_free(d);
}
END_TEST

/* Two parses of the same text, with different counters, locations and handles. */
START_TEST(test_equal_ignores_bookkeeping) {
        Rule *a = parse_rule(FAMILY_IPV4, rich_rules[_i]), *b = parse_rule(FAMILY_IPV4, rich_rules[_i]);

        b->counters = (Counters){ 1, 2 };
        b->loc = (SourceLoc){ "elsewhere", 77, 3 };
        b->handle = 9;
        ck_assert(rule_equal(a, b));
        /* and any two different rules of the list differ */
        for (size_t k = 0; k < N_ELEMENTS(rich_rules); k++) {
                Rule *o;
                if (k == (size_t)_i)
                        continue;
                o = parse_rule(FAMILY_IPV4, rich_rules[k]);
                ck_assert_msg(!rule_equal(a, o), "\"%s\" equals \"%s\"", rich_rules[_i], rich_rules[k]);
                ck_assert(!rule_equal(o, a));
                rule_free(o);
        }
        rule_free(a);
        rule_free(b);
}
END_TEST

/* Pairs of specifications that differ in exactly one thing. */
static const struct {
        const char *a;
        const char *b;
} unequal_cases[] = {
        { "-A INPUT -s 10.0.0.1", "-A INPUT -s 10.0.0.2" },
        { "-A INPUT -s 10.0.0.0/8", "-A INPUT -s 10.0.0.0/16" },
        { "-A INPUT -s 10.0.0.1", "-A INPUT -d 10.0.0.1" },
        { "-A INPUT -s 10.0.0.1", "-A INPUT ! -s 10.0.0.1" },
        { "-A INPUT", "-A INPUT ! -s 0.0.0.0/0" },
        { "-A INPUT -i eth0", "-A INPUT -i eth1" },
        { "-A INPUT -i eth0", "-A INPUT -o eth0" },
        { "-A INPUT -i eth0", "-A INPUT ! -i eth0" },
        { "-A INPUT -p tcp", "-A INPUT -p udp" },
        { "-A INPUT -p tcp", "-A INPUT ! -p tcp" },
        { "-A INPUT -p tcp", "-A INPUT" },
        { "-A INPUT -f", "-A INPUT ! -f" },
        { "-A INPUT -p tcp --dport 22", "-A INPUT -p tcp --dport 23" },
        { "-A INPUT -p tcp --dport 22", "-A INPUT -p tcp --sport 22" },
        { "-A INPUT -p tcp --dport 22", "-A INPUT -p tcp ! --dport 22" },
        { "-A INPUT -p tcp -m tcp", "-A INPUT -p tcp" },
        { "-A INPUT -p tcp -m tcp -m tcp", "-A INPUT -p tcp -m tcp" },
        /* the model keeps the order of matches */
        { "-A INPUT -m state --state NEW -m mark --mark 1", "-A INPUT -m mark --mark 1 -m state --state NEW" },
        { "-A INPUT -m comment --comment a", "-A INPUT -m comment --comment b" },
        { "-A INPUT -m comment --comment a", "-A INPUT -m comment --comment ab" },
        { "-A INPUT -j ACCEPT", "-A INPUT -j DROP" },
        { "-A INPUT -j ACCEPT", "-A INPUT" },
        { "-A INPUT -j a", "-A INPUT -j b" },
        { "-A INPUT -j a", "-A INPUT -g a" },
        { "-A INPUT -j LOG", "-A INPUT -j LOG --log-level 5" },
        { "-A INPUT -j LOG --log-prefix a", "-A INPUT -j LOG --log-prefix b" },
};

START_TEST(test_unequal) {
        Rule *a = parse_rule(FAMILY_IPV4, unequal_cases[_i].a), *b = parse_rule(FAMILY_IPV4, unequal_cases[_i].b);

        ck_assert_msg(!rule_equal(a, b), "\"%s\" equals \"%s\"", unequal_cases[_i].a, unequal_cases[_i].b);
        ck_assert(!rule_equal(b, a));
        rule_free(a);
        rule_free(b);
}
END_TEST

/* Different texts, same specification. */
static const struct {
        const char *a;
        const char *b;
} equal_cases[] = {
        { "-A INPUT -s 10.1.2.3/8", "-A INPUT -s 10.0.0.0/8" },
        { "-A INPUT -s 10.0.0.1", "-A INPUT --source 10.0.0.1/32" },
        { "-A INPUT -s 0.0.0.0/0", "-A INPUT" },
        { "-A INPUT -i +", "-A INPUT" },
        { "-A INPUT -p all", "-A INPUT" },
        { "-A INPUT -p 6", "-A INPUT -p tcp" },
        { "-A INPUT -p tcp --dport 22", "-A INPUT -p tcp -m tcp --destination-port 22" },
        { "-A INPUT -p tcp --dport ssh", "-A INPUT -p tcp --dport 22" },
        { "-A INPUT -j ACCEPT -p tcp", "-A INPUT -p tcp -j ACCEPT" },
        { "-A INPUT -s 1.2.3.4 -d 5.6.7.8", "-A INPUT -d 5.6.7.8 -s 1.2.3.4" },
};

START_TEST(test_equal) {
        Rule *a = parse_rule(FAMILY_IPV4, equal_cases[_i].a), *b = parse_rule(FAMILY_IPV4, equal_cases[_i].b);

        ck_assert_msg(rule_equal(a, b), "\"%s\" differs from \"%s\"", equal_cases[_i].a, equal_cases[_i].b);
        rule_free(a);
        rule_free(b);
}
END_TEST

START_TEST(test_pack_comment) {
        const Extension *ext = extension_find_match("comment");
        Rule *parsed = parse_rule(FAMILY_IPV4, "-A INPUT -m comment --comment short -j ACCEPT");
        Rule *built = NULL, *d = NULL, *before;
        Match *m = NULL;
        char *s1, *s2;

        ck_assert_ptr_nonnull(ext);
        /* a parsed rule is packed: its comment keeps only the bytes in use */
        ck_assert(parsed->packed);
        ck_assert_uint_eq(parsed->matches->size, strlen("short") + 1);
        /* the same rule, built by hand and not packed */
        ck_assert_int_eq(rule_new(&built), 0);
        ck_assert(!built->packed);
        ck_assert_int_eq(rule_add_match(built, ext, 0, &m), 0);
        ck_assert_uint_eq(m->size, ext->size);
        strcpy(((MatchComment *)match_data(m))->text, "short");
        ck_assert_int_eq(rule_set_target(built, extension_find_target("ACCEPT"), 0, NULL), 0);
        built->counters = (Counters){ 3, 4 };
        built->loc = (SourceLoc){ "built", 9, 1 };
        ck_assert(rule_equal(parsed, built));
        ck_assert(rule_equal(built, parsed));

        ck_assert_int_eq(rule_pack(&built), 0);
        ck_assert(built->packed);
        ck_assert_uint_eq(built->matches->size, parsed->matches->size);
        ck_assert(rule_equal(parsed, built));
        /* packing keeps the bookkeeping */
        ck_assert_uint_eq(built->counters.packets, 3);
        ck_assert_uint_eq(built->loc.line, 9);
        /* packing a packed rule changes nothing */
        before = parsed;
        ck_assert_int_eq(rule_pack(&parsed), 0);
        ck_assert_ptr_eq(parsed, before);
        ck_assert(rule_equal(parsed, built));
        ck_assert_int_eq(rule_dup(built, &d), 0);
        ck_assert(d->packed);
        ck_assert(rule_equal(d, parsed));
        s1 = rule_spec(parsed, FAMILY_IPV4);
        s2 = rule_spec(d, FAMILY_IPV4);
        ck_assert_str_eq(s1, " -m comment --comment short -j ACCEPT");
        ck_assert_str_eq(s1, s2);
        free(s1);
        free(s2);
        rule_free(parsed);
        rule_free(built);
        rule_free(d);
}
END_TEST

START_TEST(test_set_target_replaces) {
        Rule *r = NULL;
        Target *t = NULL;
        char *s;

        ck_assert_int_eq(rule_new(&r), 0);
        ck_assert_int_eq(rule_set_target(r, extension_find_target("DROP"), 5, &t), 0);
        ck_assert_uint_eq(t->column, 5);
        ck_assert_int_eq(rule_set_target(r, extension_find_target("ACCEPT"), 9, NULL), 0);
        ck_assert_ptr_eq(r->target->ext, extension_by_target_type(TARGET_ACCEPT));
        s = rule_spec(r, FAMILY_IPV4);
        ck_assert_str_eq(s, " -j ACCEPT");
        free(s);
        rule_free(r);
}
END_TEST

/* ---- enum names ---- */

START_TEST(test_family_names) {
        static const char *const names[] = { "ipv4", "ipv6" };

        ck_assert_int_eq(_FAMILY_MAX, N_ELEMENTS(names));
        for (int i = 0; i < _FAMILY_MAX; i++) {
                ck_assert_str_eq(family_to_string((Family)i), names[i]);
                ck_assert_int_eq(family_from_string(names[i]), i);
        }
        ck_assert_ptr_null(family_to_string(_FAMILY_MAX));
        ck_assert_int_eq(family_from_string("ipv5"), _FAMILY_INVALID);
        ck_assert_int_eq(family_from_string(NULL), _FAMILY_INVALID);
}
END_TEST

START_TEST(test_table_type_names) {
        static const char *const names[] = { "filter", "nat", "mangle", "raw", "security" };

        ck_assert_int_eq(_TABLE_TYPE_MAX, N_ELEMENTS(names));
        for (int i = 0; i < _TABLE_TYPE_MAX; i++) {
                ck_assert_str_eq(table_type_to_string((TableType)i), names[i]);
                ck_assert_int_eq(table_type_from_string(names[i]), i);
                ck_assert_uint_ne(table_type_hooks((TableType)i), 0);
        }
        ck_assert_ptr_null(table_type_to_string(_TABLE_TYPE_MAX));
        ck_assert_int_eq(table_type_from_string("FILTER"), _TABLE_TYPE_INVALID);
        ck_assert_int_eq(table_type_from_string("broute"), _TABLE_TYPE_INVALID);
        ck_assert_uint_eq(table_type_hooks(_TABLE_TYPE_MAX), 0);
}
END_TEST

START_TEST(test_hook_names) {
        static const char *const names[] = { "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" };

        ck_assert_int_eq(_HOOK_MAX, N_ELEMENTS(names));
        for (int i = 0; i < _HOOK_MAX; i++) {
                ck_assert_str_eq(hook_to_string((Hook)i), names[i]);
                ck_assert_int_eq(hook_from_string(names[i]), i);
        }
        ck_assert_ptr_null(hook_to_string(_HOOK_MAX));
        ck_assert_int_eq(hook_from_string("input"), _HOOK_INVALID);
}
END_TEST

START_TEST(test_policy_names) {
        static const char *const names[] = { "ACCEPT", "DROP" };

        ck_assert_int_eq(_POLICY_MAX, N_ELEMENTS(names));
        for (int i = 0; i < _POLICY_MAX; i++) {
                ck_assert_str_eq(policy_to_string((Policy)i), names[i]);
                ck_assert_int_eq(policy_from_string(names[i]), i);
        }
        ck_assert_ptr_null(policy_to_string(_POLICY_MAX));
        ck_assert_int_eq(policy_from_string("REJECT"), _POLICY_INVALID);
        ck_assert_int_eq(policy_from_string("accept"), _POLICY_INVALID);
        ck_assert_int_eq(policy_from_string("RETURN"), _POLICY_INVALID);
}
END_TEST

START_TEST(test_command_type_names) {
        static const char *const names[] = { "-A", "-C", "-D", "-I", "-R", "-L", "-S",
                                             "-F", "-Z", "-N", "-X", "-P", "-E" };

        ck_assert_int_eq(_COMMAND_TYPE_MAX, N_ELEMENTS(names));
        for (int i = 0; i < _COMMAND_TYPE_MAX; i++) {
                ck_assert_str_eq(command_type_to_string((CommandType)i), names[i]);
                ck_assert_int_eq(command_type_from_string(names[i]), i);
        }
        ck_assert_ptr_null(command_type_to_string(_COMMAND_TYPE_MAX));
        ck_assert_ptr_null(command_type_to_string(_COMMAND_TYPE_INVALID));
        ck_assert_int_eq(command_type_from_string("-Q"), _COMMAND_TYPE_INVALID);
}
END_TEST

/* ---- extension registry ---- */

START_TEST(test_match_registry) {
        const Extension *ext = extension_by_match_type((MatchType)_i);

        ck_assert_msg(ext != NULL, "match type %d has no extension", _i);
        ck_assert_uint_eq(ext->type, (unsigned)_i);
        ck_assert(!ext->is_target);
        ck_assert_ptr_nonnull(ext->name);
        ck_assert_ptr_eq(extension_find_match(ext->name), ext);
        ck_assert_ptr_null(extension_find_target(ext->name));
        ck_assert_ptr_null(extension_unsupported_reason(ext->name, false));
        ck_assert_uint_ne(ext->families, 0);
        ck_assert_uint_eq(ext->families & ~FAMILY_ANY, 0);
        ck_assert_uint_ne(ext->tables, 0);
        ck_assert_uint_ne(ext->hooks, 0);
        ck_assert_uint_gt(ext->size, 0);
        ck_assert_ptr_nonnull(ext->parse);
        ck_assert_ptr_nonnull(ext->save);
        ck_assert_ptr_nonnull(ext->list);
        for (size_t i = 0; i < ext->n_options; i++) {
                const ExtOption *o = NULL;
                ck_assert_int_lt(ext->options[i].id, 32);
                ck_assert_int_eq(extension_find_option(ext, ext->options[i].name, &o), 0);
                ck_assert_ptr_eq(o, &ext->options[i]);
        }
}
END_TEST

START_TEST(test_target_registry) {
        const Extension *ext = extension_by_target_type((TargetType)_i);

        ck_assert_msg(ext != NULL, "target type %d has no extension", _i);
        ck_assert_uint_eq(ext->type, (unsigned)_i);
        ck_assert(ext->is_target);
        ck_assert_ptr_nonnull(ext->name);
        ck_assert_uint_ne(ext->families, 0);
        ck_assert_uint_ne(ext->tables, 0);
        ck_assert_uint_ne(ext->hooks, 0);
        ck_assert_ptr_null(extension_find_match(ext->name));
        if (_i == TARGET_JUMP || _i == TARGET_GOTO) {
                ck_assert_ptr_null(extension_find_target(ext->name));
                ck_assert_uint_eq(ext->size, sizeof(TargetChain));
        } else {
                ck_assert_ptr_eq(extension_find_target(ext->name), ext);
                ck_assert_ptr_null(extension_unsupported_reason(ext->name, true));
        }
        for (size_t i = 0; i < ext->n_options; i++) {
                const ExtOption *o = NULL;
                ck_assert_int_eq(extension_find_option(ext, ext->options[i].name, &o), 0);
                ck_assert_ptr_eq(o, &ext->options[i]);
        }
}
END_TEST

START_TEST(test_registry_lookup) {
        ck_assert_ptr_null(extension_by_match_type(_MATCH_TYPE_MAX));
        ck_assert_ptr_null(extension_by_match_type(_MATCH_TYPE_INVALID));
        ck_assert_ptr_null(extension_by_target_type(_TARGET_TYPE_MAX));
        ck_assert_ptr_null(extension_by_target_type(_TARGET_TYPE_INVALID));
        ck_assert_ptr_null(extension_find_match("nosuchmatch"));
        ck_assert_ptr_null(extension_find_match("TCP"));
        ck_assert_ptr_null(extension_find_match(""));
        ck_assert_ptr_null(extension_find_target("accept"));
        ck_assert_ptr_null(extension_find_target("mychain"));
        ck_assert_ptr_null(extension_find_target("(jump)"));
        ck_assert_ptr_null(extension_find_target("(goto)"));
        /* ip6tables' name of icmp6 */
        ck_assert_ptr_eq(extension_find_match("ipv6-icmp"), extension_by_match_type(MATCH_ICMP6));
        ck_assert_str_eq(extension_by_target_type(TARGET_NOTRACK)->list_name, "CT");
        /* refused by name */
        ck_assert_ptr_nonnull(extension_unsupported_reason("recent", false));
        ck_assert_ptr_nonnull(extension_unsupported_reason("set", false));
        ck_assert_ptr_nonnull(extension_unsupported_reason("NFQUEUE", true));
        ck_assert_ptr_null(extension_unsupported_reason("NFQUEUE", false));
        ck_assert_ptr_null(extension_unsupported_reason("recent", true));
        ck_assert_ptr_null(extension_unsupported_reason("nosuch", false));
}
END_TEST

static const struct {
        const char *ext;
        bool target;
        const char *option;
        int ret;
        const char *found;
} option_cases[] = {
        { "tcp", false, "dport", 0, "dport" },
        { "tcp", false, "destination-port", 0, "destination-port" },
        /* aliases share an id: a prefix of both is not ambiguous */
        { "tcp", false, "d", 0, NULL },
        { "tcp", false, "destination-p", 0, "destination-port" },
        { "tcp", false, "sy", 0, "syn" },
        { "tcp", false, "tcp-f", 0, "tcp-flags" },
        { "tcp", false, "tcp-", -EADDRINUSE, NULL },
        { "tcp", false, "s", -EADDRINUSE, NULL },
        { "tcp", false, "x", -ENOENT, NULL },
        { "tcp", false, "dports", -ENOENT, NULL },
        { "tcp", false, "", -ENOENT, NULL },
        { "multiport", false, "dports", 0, "dports" },
        { "multiport", false, "port", 0, "ports" },
        { "multiport", false, "d", 0, NULL },
        { "comment", false, "comm", 0, "comment" },
        { "LOG", true, "log-p", 0, "log-prefix" },
        { "LOG", true, "log-", -EADDRINUSE, NULL },
};

START_TEST(test_option_lookup) {
        const Extension *ext = option_cases[_i].target ? extension_find_target(option_cases[_i].ext)
                                                       : extension_find_match(option_cases[_i].ext);
        const ExtOption *o = NULL;

        ck_assert_ptr_nonnull(ext);
        ck_assert_int_eq(extension_find_option(ext, option_cases[_i].option, &o), option_cases[_i].ret);
        if (option_cases[_i].ret == 0) {
                ck_assert_ptr_nonnull(o);
                if (option_cases[_i].found)
                        ck_assert_str_eq(o->name, option_cases[_i].found);
        }
}
END_TEST

static Suite *ruleset_suite(void) {
        Suite *s = suite_create("ruleset");
        TCase *tc;

        tc = tcase_create("tables");
        tcase_add_loop_test(tc, test_builtin_chains, 0, N_ELEMENTS(builtin_cases));
        tcase_add_test(tc, test_ensure_table);
        tcase_add_test(tc, test_reset_remove_table);
        tcase_add_test(tc, test_intern_file);
        tcase_add_test(tc, test_count_rules);
        suite_add_tcase(s, tc);

        tc = tcase_create("chains");
        tcase_add_test(tc, test_user_chains_sorted);
        tcase_add_test(tc, test_find_chain);
        tcase_add_test(tc, test_add_chain_errors);
        tcase_add_test(tc, test_remove_chain);
        tcase_add_test(tc, test_rename_chain);
        suite_add_tcase(s, tc);

        tc = tcase_create("rules");
        tcase_add_test(tc, test_insert_take);
        tcase_add_test(tc, test_count_references);
        tcase_add_test(tc, test_find_match);
        tcase_add_test(tc, test_set_target_replaces);
        suite_add_tcase(s, tc);

        tc = tcase_create("equality");
        tcase_add_loop_test(tc, test_dup_equal, 0, N_ELEMENTS(rich_rules));
        tcase_add_loop_test(tc, test_equal_ignores_bookkeeping, 0, N_ELEMENTS(rich_rules));
        tcase_add_loop_test(tc, test_unequal, 0, N_ELEMENTS(unequal_cases));
        tcase_add_loop_test(tc, test_equal, 0, N_ELEMENTS(equal_cases));
        tcase_add_test(tc, test_pack_comment);
        suite_add_tcase(s, tc);

        tc = tcase_create("names");
        tcase_add_test(tc, test_family_names);
        tcase_add_test(tc, test_table_type_names);
        tcase_add_test(tc, test_hook_names);
        tcase_add_test(tc, test_policy_names);
        tcase_add_test(tc, test_command_type_names);
        suite_add_tcase(s, tc);

        tc = tcase_create("registry");
        tcase_add_loop_test(tc, test_match_registry, 0, _MATCH_TYPE_MAX);
        tcase_add_loop_test(tc, test_target_registry, 0, _TARGET_TYPE_MAX);
        tcase_add_test(tc, test_registry_lookup);
        tcase_add_loop_test(tc, test_option_lookup, 0, N_ELEMENTS(option_cases));
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(ruleset_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
