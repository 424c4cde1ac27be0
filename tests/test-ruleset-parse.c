/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-ruleset-parse: the one grammar. The tokenizer; iptables-restore
 * files through ruleset_parse_string() (tables, chains, COMMIT, counters,
 * comments, every command a rules file may hold); rule specifications in
 * their canonical form (options in any order, abbreviations, "=" forms,
 * negation, address and protocol normalisation, implicit matches); single
 * commands through command_parse(); and the diagnostics of bad input,
 * exact to the line and column, with every bad line reported and no
 * ruleset handed out.
 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ruleset-names.h"
#include "ruleset-check.h"
#include "ruleset-ext.h"
#include "ruleset-parse.h"
#include "ruleset-print.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

static char *render_diags(const DiagList *l) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(diag_list_print(l, f), 0);
        ck_assert_int_eq(fclose(f), 0);
        return buf;
}

static const char *family_file(Family family) {
        return family == FAMILY_IPV6 ? "t.v6" : "t.v4";
}

/* Parses a whole file that must be valid; returns its canonical save text. */
static char *parse_ok(Family family, const char *text, unsigned flags) {
        DiagList diags = DIAG_LIST_INIT;
        Ruleset *rs = NULL;
        StrBuf out = STRBUF_INIT;
        char *s;
        int r;

        r = ruleset_parse_string(text, strlen(text), family_file(family), family, &diags, &rs);
        if (r < 0 || diags.n_items > 0) {
                char *d = render_diags(&diags);
                ck_abort_msg("unexpected diagnostics (r=%d) for:\n%s---\n%s", r, text, d);
        }
        ck_assert_ptr_nonnull(rs);
        ruleset_print_save(rs, family, flags, &out);
        s = strdup(strbuf_str(&out));
        strbuf_deinit(&out);
        ruleset_free(rs);
        diag_list_deinit(&diags);
        return s;
}

/* Parses a file that must fail; returns the rendered diagnostics. */
static char *parse_fail(Family family, const char *text) {
        DiagList diags = DIAG_LIST_INIT;
        Ruleset *rs = NULL;
        char *s;
        int r;

        r = ruleset_parse_string(text, strlen(text), family_file(family), family, &diags, &rs);
        ck_assert_msg(r == -EINVAL, "r=%d for:\n%s", r, text);
        /* an invalid file yields no ruleset */
        ck_assert_ptr_null(rs);
        ck_assert_uint_gt(diags.n_errors, 0);
        s = render_diags(&diags);
        diag_list_deinit(&diags);
        return s;
}

/* The rule lines ("-A ..." or "[p:b] -A ...") of a save text. */
static char *rule_lines(const char *save) {
        StrBuf b = STRBUF_INIT;
        char *s;

        for (const char *l = save; *l;) {
                const char *nl = strchr(l, '\n');
                size_t len = nl ? (size_t)(nl - l) + 1 : strlen(l);
                if (l[0] == '-' || l[0] == '[')
                        strbuf_put(&b, l, len);
                l += len;
        }
        s = strdup(strbuf_str(&b));
        strbuf_deinit(&b);
        return s;
}

/* Tokens as "COLUMN:TEXT" (a '*' after a quoted one), space-separated. */
static char *tokenize(const char *line, char **ret_diags) {
        DiagList diags = DIAG_LIST_INIT;
        ParseContext ctx = { .family = FAMILY_IPV4, .file = "tok", .line = 7, .diags = &diags };
        TokenBuffer tb = TOKEN_BUFFER_INIT;
        StrBuf b = STRBUF_INIT;
        char *s = NULL;
        int r;

        r = line_tokenize(&ctx, line, strlen(line), &tb);
        if (r == 0) {
                ck_assert_uint_eq(diags.n_items, 0);
                for (size_t i = 0; i < tb.n_tokens; i++) {
                        if (i > 0)
                                strbuf_putc(&b, ' ');
                        strbuf_put_u64(&b, tb.tokens[i].column);
                        strbuf_putc(&b, ':');
                        strbuf_puts(&b, tb.tokens[i].text);
                        if (tb.tokens[i].quoted)
                                strbuf_putc(&b, '*');
                }
                s = strdup(strbuf_str(&b));
                *ret_diags = NULL;
        } else {
                ck_assert_int_eq(r, -EINVAL);
                *ret_diags = render_diags(&diags);
        }
        strbuf_deinit(&b);
        token_buffer_deinit(&tb);
        diag_list_deinit(&diags);
        return s;
}

/* ---- tokenizer ---- */

static const struct {
        const char *line;
        const char *tokens;     /* NULL: must fail */
        const char *diags;
} token_cases[] = {
        { "", "", NULL },
        { "   \t  ", "", NULL },
        { "-A INPUT", "1:-A 4:INPUT", NULL },
        { "  -A\tINPUT  \r", "3:-A 6:INPUT", NULL },
        { "a  b\t\tc", "1:a 4:b 7:c", NULL },
        { "\"a b\" c", "1:a b* 7:c", NULL },
        { "--comment \"say \\\"hi\\\"\"", "1:--comment 11:say \"hi\"*", NULL },
        { "\"back\\\\slash\"", "1:back\\slash*", NULL },
        /* single quotes are literal: no escapes inside */
        { "'a \\\" b'", "1:a \\\" b*", NULL },
        { "'it''s'", "1:its*", NULL },
        { "\"\"", "1:*", NULL },
        { "x \"\" y", "1:x 3:* 6:y", NULL },
        { "''", "1:*", NULL },
        /* quotes join with the text around them */
        { "ab\"c d\"ef", "1:abc def*", NULL },
        { "a'b'\"c\"", "1:abc*", NULL },
        /* a backslash outside quotes escapes the next character */
        { "a\\ b", "1:a b*", NULL },
        { "\\\"", "1:\"*", NULL },
        { "\"!\" !", "1:!* 5:!", NULL },
        { "\"double", NULL, "tok:7:1: error: unterminated double quote\n" },
        { "-A INPUT -m comment --comment \"abc", NULL, "tok:7:31: error: unterminated double quote\n" },
        { "x 'single", NULL, "tok:7:3: error: unterminated single quote\n" },
        { "x \"a\\\"", NULL, "tok:7:3: error: unterminated double quote\n" },
        { "\"it's\"", "1:it's*", NULL },
        { "'say \"x\"'", "1:say \"x\"*", NULL },
};

START_TEST(test_tokenize) {
        char *diags = NULL;
        char *tokens = tokenize(token_cases[_i].line, &diags);

        if (token_cases[_i].tokens) {
                ck_assert_msg(tokens != NULL, "\"%s\" failed: %s", token_cases[_i].line, diags);
                ck_assert_str_eq(tokens, token_cases[_i].tokens);
        } else {
                ck_assert_msg(tokens == NULL, "\"%s\" gave %s", token_cases[_i].line, tokens);
                ck_assert_str_eq(diags, token_cases[_i].diags);
        }
        free(tokens);
        free(diags);
}
END_TEST

START_TEST(test_tokenize_reuse) {
        DiagList diags = DIAG_LIST_INIT;
        ParseContext ctx = { .family = FAMILY_IPV4, .file = "tok", .line = 1, .diags = &diags };
        TokenBuffer tb = TOKEN_BUFFER_INIT;
        const char *long_line = "-A INPUT -s 1.2.3.4 -d 5.6.7.8 -p tcp --dport 22 -j ACCEPT -m comment --comment x";

        ck_assert_int_eq(line_tokenize(&ctx, long_line, strlen(long_line), &tb), 0);
        ck_assert_uint_eq(tb.n_tokens, 16);
        ck_assert_str_eq(tb.tokens[15].text, "x");
        ck_assert_uint_eq(tb.tokens[15].column, strlen(long_line));
        ck_assert_int_eq(line_tokenize(&ctx, "-F", 2, &tb), 0);
        ck_assert_uint_eq(tb.n_tokens, 1);
        ck_assert_str_eq(tb.tokens[0].text, "-F");
        ck_assert(!tb.tokens[0].quoted);
        /* only len bytes are read */
        ck_assert_int_eq(line_tokenize(&ctx, "-A INPUT", 2, &tb), 0);
        ck_assert_uint_eq(tb.n_tokens, 1);
        ck_assert_str_eq(tb.tokens[0].text, "-A");
        token_buffer_deinit(&tb);
        diag_list_deinit(&diags);
}
END_TEST

/* ---- rule specifications in a rules file ---- */

static const struct {
        Family family;
        const char *table;
        const char *lines;              /* between "*TABLE\n:u - [0:0]\n" and "COMMIT\n" */
        unsigned flags;
        const char *expected;           /* the rule lines of the save */
} rule_cases[] = {
        { FAMILY_IPV4, "filter", "-A INPUT -p tcp --dport 22 -j ACCEPT", 0,
          "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n" },
        /* options in any order */
        { FAMILY_IPV4, "filter", "-A INPUT -j ACCEPT -p tcp --dport 22", 0,
          "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -j DROP -d 5.6.7.8 -s 1.2.3.4 -p udp", 0,
          "-A INPUT -s 1.2.3.4/32 -d 5.6.7.8/32 -p udp -j DROP\n" },
        { FAMILY_IPV4, "filter", "-A FORWARD -o eth1 -i eth0 -d 1.1.1.1 -s 2.2.2.2 -p udp", 0,
          "-A FORWARD -s 2.2.2.2/32 -d 1.1.1.1/32 -i eth0 -o eth1 -p udp\n" },
        /* -m tcp before -p tcp: the protocol is checked once the rule is complete */
        { FAMILY_IPV4, "filter", "-A INPUT -m tcp --dport 1 -p tcp", 0, "-A INPUT -p tcp -m tcp --dport 1\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -m tcp -p tcp", 0, "-A INPUT -p tcp -m tcp\n" },
        /* long options with "=", short options with attached values */
        { FAMILY_IPV4, "filter", "-A INPUT --protocol=tcp --destination-port=22 --jump=ACCEPT", 0,
          "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -ptcp --dport=22 -jACCEPT", 0,
          "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -s1.2.3.4 -d5.6.7.8/24", 0, "-A INPUT -s 1.2.3.4/32 -d 5.6.7.0/24\n" },
        /* unambiguous abbreviations */
        { FAMILY_IPV4, "filter", "-A INPUT --proto tcp --dest 1.2.3.4 -j ACCEPT", 0,
          "-A INPUT -d 1.2.3.4/32 -p tcp -j ACCEPT\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -p tcp --destination-p 22", 0, "-A INPUT -p tcp -m tcp --dport 22\n" },
        { FAMILY_IPV4, "filter", "-A FORWARD --in-int eth0 --out eth1 --src 1.1.1.1 --dst 2.2.2.2 --jump ACCEPT", 0,
          "-A FORWARD -s 1.1.1.1/32 -d 2.2.2.2/32 -i eth0 -o eth1 -j ACCEPT\n" },
        { FAMILY_IPV4, "filter", "-A INPUT --source 1.1.1.1 --destination 2.2.2.2 --goto u", 0,
          "-A INPUT -s 1.1.1.1/32 -d 2.2.2.2/32 -g u\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -p tcp -m comment --comm hi --sp 80", 0,
          "-A INPUT -p tcp -m comment --comment hi -m tcp --sport 80\n" },
        { FAMILY_IPV4, "filter", "-A INPUT --match state --state NEW --fragment", 0,
          "-A INPUT -f -m state --state NEW\n" },
        /* negation */
        { FAMILY_IPV4, "filter", "-A FORWARD ! -s 10.0.0.0/8 ! -d 1.1.1.1 ! -i eth0 ! -o eth1 ! -p tcp", 0,
          "-A FORWARD ! -s 10.0.0.0/8 ! -d 1.1.1.1/32 ! -i eth0 ! -o eth1 ! -p tcp\n" },
        { FAMILY_IPV4, "filter", "-A INPUT ! --source 1.2.3.4 ! --protocol udp", 0,
          "-A INPUT ! -s 1.2.3.4/32 ! -p udp\n" },
        /* an explicit -m tcp after the implicit one is a second match */
        { FAMILY_IPV4, "filter", "-A INPUT -p tcp ! --dport 22 -m tcp ! --syn", 0,
          "-A INPUT -p tcp -m tcp ! --dport 22 -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -p tcp -m tcp ! --dport 22 ! --syn", 0,
          "-A INPUT -p tcp -m tcp ! --dport 22 ! --tcp-flags FIN,SYN,RST,ACK SYN\n" },
        { FAMILY_IPV4, "filter", "-A INPUT ! -f", 0, "-A INPUT ! -f\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -f", 0, "-A INPUT -f\n" },
        /* addresses: host bits cleared, /32 implied, dotted masks */
        { FAMILY_IPV4, "filter", "-A INPUT -s 10.1.2.3/8", 0, "-A INPUT -s 10.0.0.0/8\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -s 10.1.2.3", 0, "-A INPUT -s 10.1.2.3/32\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -s 10.1.2.3/32", 0, "-A INPUT -s 10.1.2.3/32\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -d 1.2.3.4/255.255.0.0", 0, "-A INPUT -d 1.2.0.0/16\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -d 1.2.3.4/255.255.255.255", 0, "-A INPUT -d 1.2.3.4/32\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -d 1.2.3.4/255.0.255.0", 0, "-A INPUT -d 1.0.3.0/255.0.255.0\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -s 192.168.1.77/27", 0, "-A INPUT -s 192.168.1.64/27\n" },
        /* "everything" is no test at all, unless inverted */
        { FAMILY_IPV4, "filter", "-A INPUT -s 0.0.0.0/0", 0, "-A INPUT\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -s 1.2.3.4/32 -d 1.2.3.4/0", 0, "-A INPUT -s 1.2.3.4/32\n" },
        { FAMILY_IPV4, "filter", "-A INPUT ! -s 0.0.0.0/0", 0, "-A INPUT ! -s 0.0.0.0/0\n" },
        /* protocols: names, numbers, any case, "all" */
        { FAMILY_IPV4, "filter", "-A INPUT -p 6", 0, "-A INPUT -p tcp\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -p 47", 0, "-A INPUT -p gre\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -p TCP", 0, "-A INPUT -p tcp\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -p all", 0, "-A INPUT\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -p 0", 0, "-A INPUT\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -p 255 -j DROP", 0, "-A INPUT -p 255 -j DROP\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -p 17 --dport 53", 0, "-A INPUT -p udp -m udp --dport 53\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -p icmp --icmp-type 8", 0, "-A INPUT -p icmp -m icmp --icmp-type 8\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -p udp --dport domain", 0, "-A INPUT -p udp -m udp --dport 53\n" },
        /* interfaces */
        { FAMILY_IPV4, "filter", "-A INPUT -i +", 0, "-A INPUT\n" },
        { FAMILY_IPV4, "filter", "-A INPUT ! -i +", 0, "-A INPUT ! -i +\n" },
        { FAMILY_IPV4, "filter", "-A FORWARD -o eth+", 0, "-A FORWARD -o eth+\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -i abcdefghijklmno", 0, "-A INPUT -i abcdefghijklmno\n" },
        /* matches keep their order; jumps and gotos */
        { FAMILY_IPV4, "filter", "-A INPUT -m state --state NEW -m mark --mark 1", 0,
          "-A INPUT -m state --state NEW -m mark --mark 0x1\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -m mark --mark 1 -m state --state NEW", 0,
          "-A INPUT -m mark --mark 0x1 -m state --state NEW\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -j u\n-A INPUT -g u\n-A u -j RETURN", 0,
          "-A INPUT -j u\n-A INPUT -g u\n-A u -j RETURN\n" },
        /* quoting in arguments */
        { FAMILY_IPV4, "filter", "-A INPUT -s 1.2.3.4 -j LOG --log-prefix \"hello world\"", 0,
          "-A INPUT -s 1.2.3.4/32 -j LOG --log-prefix \"hello world\"\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -m comment --comment 'single quoted'", 0,
          "-A INPUT -m comment --comment \"single quoted\"\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -m comment --comment \"a\\\"b\\\\c\"", 0,
          "-A INPUT -m comment --comment \"a\\\"b\\\\c\"\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -m comment --comment \"\"", 0, "-A INPUT -m comment --comment \"\"\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -m comment --comment \"!\"", 0,
          "-A INPUT -m comment --comment \"!\"\n" },
        /* counters: [p:b] before the command, or -c */
        { FAMILY_IPV4, "filter", "[5:600] -A INPUT -j ACCEPT", PRINT_COUNTERS, "[5:600] -A INPUT -j ACCEPT\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -c 2,3 -j ACCEPT", PRINT_COUNTERS, "[2:3] -A INPUT -j ACCEPT\n" },
        { FAMILY_IPV4, "filter", "-A INPUT -j ACCEPT --set-counters 7,8", PRINT_COUNTERS,
          "[7:8] -A INPUT -j ACCEPT\n" },
        { FAMILY_IPV4, "filter", "[5:600] -A INPUT -j ACCEPT", 0, "-A INPUT -j ACCEPT\n" },
        { FAMILY_IPV4, "filter", "[18446744073709551615:0] -A INPUT", PRINT_COUNTERS,
          "[18446744073709551615:0] -A INPUT\n" },
        { FAMILY_IPV4, "filter", "-A INPUT", PRINT_COUNTERS, "[0:0] -A INPUT\n" },
        /* other tables */
        { FAMILY_IPV4, "nat", "-A POSTROUTING -o eth0 -j MASQUERADE", 0, "-A POSTROUTING -o eth0 -j MASQUERADE\n" },
        { FAMILY_IPV4, "nat", "-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080", 0,
          "-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080\n" },
        { FAMILY_IPV4, "raw", "-A PREROUTING -j NOTRACK", 0, "-A PREROUTING -j NOTRACK\n" },
        { FAMILY_IPV4, "mangle", "-A POSTROUTING -j u\n-A u -m owner --uid-owner 0", 0,
          "-A POSTROUTING -j u\n-A u -m owner --uid-owner 0\n" },
        /* IPv6 */
        { FAMILY_IPV6, "filter", "-A INPUT -s ::1 -d 2001:db8::/32 -j ACCEPT", 0,
          "-A INPUT -s ::1/128 -d 2001:db8::/32 -j ACCEPT\n" },
        { FAMILY_IPV6, "filter", "-A INPUT -s 2001:db8:0:0:1::1/64", 0, "-A INPUT -s 2001:db8::/64\n" },
        { FAMILY_IPV6, "filter", "-A INPUT -d fe80::1/ffff:ffff::", 0, "-A INPUT -d fe80::/32\n" },
        { FAMILY_IPV6, "filter", "-A INPUT -s ::/0 -d ::1/0", 0, "-A INPUT\n" },
        { FAMILY_IPV6, "filter", "-A INPUT ! -s ::/0", 0, "-A INPUT ! -s ::/0\n" },
        { FAMILY_IPV6, "filter", "-A INPUT -p ipv6-icmp --icmpv6-type 128", 0,
          "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128\n" },
        { FAMILY_IPV6, "filter", "-A INPUT -p icmpv6\n-A INPUT -p 58", 0,
          "-A INPUT -p ipv6-icmp\n-A INPUT -p ipv6-icmp\n" },
        { FAMILY_IPV6, "filter", "-A INPUT -p tcp --dport 22 -j ACCEPT", 0,
          "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n" },
};

START_TEST(test_rule) {
        char text[1024];
        char *save, *rules;

        snprintf(text, sizeof(text), "*%s\n:u - [0:0]\n%s\nCOMMIT\n", rule_cases[_i].table, rule_cases[_i].lines);
        save = parse_ok(rule_cases[_i].family, text, rule_cases[_i].flags);
        rules = rule_lines(save);
        ck_assert_str_eq(rules, rule_cases[_i].expected);
        free(rules);
        free(save);
}
END_TEST

/* ---- whole files ---- */

static const struct {
        Family family;
        const char *input;
        unsigned flags;
        const char *expected;
} file_cases[] = {
        /* the smallest file */
        { FAMILY_IPV4, "*filter\nCOMMIT\n", 0,
          "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n" },
        /* no table at all: an empty ruleset */
        { FAMILY_IPV4, "", 0, "" },
        { FAMILY_IPV4, "# nothing\n\n", 0, "" },
        /* comments and blank lines anywhere, indented or not, CRLF endings, no final newline */
        { FAMILY_IPV4,
          "# Generated by iptables-save\n\n  # indented\n*filter\n\n# inside\n\t\n:INPUT DROP [0:0]\n  \n"
          "# between\n-A INPUT -j ACCEPT\r\n   -A INPUT -j DROP\nCOMMIT\n# Completed\n\n",
          0,
          "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n"
          "-A INPUT -j DROP\nCOMMIT\n" },
        { FAMILY_IPV4, "*filter\r\n-A INPUT -j ACCEPT\r\nCOMMIT", 0,
          "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n" },
        /* tables in any order; printed in the model's order */
        { FAMILY_IPV4,
          "*security\n-A INPUT -j ACCEPT\nCOMMIT\n*raw\n-A OUTPUT -j ACCEPT\nCOMMIT\n*mangle\n-A FORWARD -j ACCEPT\n"
          "COMMIT\n*nat\n-A INPUT -j ACCEPT\nCOMMIT\n*filter\n-A INPUT -j ACCEPT\nCOMMIT\n",
          0,
          "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n"
          "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
          "-A INPUT -j ACCEPT\nCOMMIT\n"
          "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
          ":POSTROUTING ACCEPT [0:0]\n-A FORWARD -j ACCEPT\nCOMMIT\n"
          "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j ACCEPT\nCOMMIT\n"
          "*security\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n" },
        /* a table given twice: the second block replaces the first */
        { FAMILY_IPV4, "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n*filter\n-A INPUT -j DROP\nCOMMIT\n", 0,
          "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n" },
        /* chain lines with and without counters; user chains sorted; their counters are not kept */
        { FAMILY_IPV4, "*filter\n:INPUT DROP [10:20]\n:FORWARD DROP\n:zz - [1:2]\n:aa -\n:OUTPUT ACCEPT [3:4]\nCOMMIT\n",
          PRINT_COUNTERS,
          "*filter\n:INPUT DROP [10:20]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [3:4]\n:aa - [0:0]\n:zz - [0:0]\nCOMMIT\n" },
        /* the policy counters are printed without PRINT_COUNTERS too, as iptables-save does */
        { FAMILY_IPV4, "*filter\n:INPUT DROP [10:20]\n[1:2] -A INPUT\nCOMMIT\n", 0,
          "*filter\n:INPUT DROP [10:20]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT\nCOMMIT\n" },
        /* every command a rules file may hold */
        { FAMILY_IPV4,
          "*filter\n"
          "-N a\n"
          "-N b\n"
          "-A INPUT -j a\n"
          "-A a -p tcp --dport 22 -j ACCEPT\n"
          "-A a -j b\n"
          "-E a c\n"
          "-I INPUT -j DROP\n"
          "-I INPUT 2 -s 1.1.1.1\n"
          "-I INPUT 4 -d 2.2.2.2\n"
          "-D INPUT 1\n"
          "-A INPUT -p udp -m udp --dport 53 -j ACCEPT\n"
          "-D INPUT --proto udp --dport=53 --jump ACCEPT\n"
          "-R INPUT 1 -s 3.3.3.3\n"
          "-P FORWARD DROP\n"
          "-N d\n"
          "-A d -j ACCEPT\n"
          "-F d\n"
          "-X d\n"
          "-N e\n"
          "-N f\n"
          "-X e\n"
          "[5:6] -A OUTPUT -j ACCEPT\n"
          "-A OUTPUT -c 7,8\n"
          "[9:10] -A OUTPUT\n"
          "-Z OUTPUT 1\n"
          "COMMIT\n",
          PRINT_COUNTERS,
          "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:b - [0:0]\n:c - [0:0]\n"
          ":f - [0:0]\n"
          "[0:0] -A INPUT -s 3.3.3.3/32\n"
          "[0:0] -A INPUT -j c\n"
          "[0:0] -A INPUT -d 2.2.2.2/32\n"
          "[0:0] -A OUTPUT -j ACCEPT\n"
          "[7:8] -A OUTPUT\n"
          "[9:10] -A OUTPUT\n"
          "[0:0] -A c -p tcp -m tcp --dport 22 -j ACCEPT\n"
          "[0:0] -A c -j b\n"
          "COMMIT\n" },
        /* -Z zeroes rules and policies; -F flushes every chain; -X without a chain deletes the empty ones */
        { FAMILY_IPV4,
          "*filter\n:INPUT DROP [1:2]\n:x - [0:0]\n:y - [0:0]\n[3:4] -A INPUT\n[5:6] -A x\n-Z\n-F\n-X\n-A INPUT -j ACCEPT\n"
          "COMMIT\n",
          PRINT_COUNTERS,
          "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n[0:0] -A INPUT -j ACCEPT\nCOMMIT\n" },
        { FAMILY_IPV4, "*filter\n:INPUT ACCEPT [1:2]\n[3:4] -A INPUT\n[5:6] -A OUTPUT\n-Z INPUT\n-P OUTPUT DROP -c 8,9\nCOMMIT\n",
          PRINT_COUNTERS,
          "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT DROP [8:9]\n[0:0] -A INPUT\n[5:6] -A OUTPUT\n"
          "COMMIT\n" },
        /* -E: the chain moves to its sorted place and the jumps follow it */
        { FAMILY_IPV4,
          "*filter\n:zeta - [0:0]\n:mid - [0:0]\n-A INPUT -j zeta\n-A mid -g zeta\n-A zeta -j RETURN\n-E zeta alpha\nCOMMIT\n", 0,
          "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:alpha - [0:0]\n:mid - [0:0]\n"
          "-A INPUT -j alpha\n-A alpha -j RETURN\n-A mid -g alpha\nCOMMIT\n" },
        /* -D by specification: abbreviations and "=" forms name the same rule; the first equal one goes */
        { FAMILY_IPV4,
          "*filter\n-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP\n"
          "-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\n"
          "-D INPUT --src=10.1.1.1/8 --proto tcp --destination-port=ssh --jump ACCEPT\nCOMMIT\n",
          0,
          "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -j DROP\n"
          "-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n" },
        /* -D by specification ignores counters; -C finds the rule and changes nothing */
        { FAMILY_IPV4, "*filter\n[1:2] -A INPUT -j ACCEPT\n-C INPUT -j ACCEPT\n-A INPUT -j DROP\n-D INPUT -j ACCEPT -c 9,9\nCOMMIT\n",
          0, "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n" },
        /* long command names */
        { FAMILY_IPV4,
          "*filter\n--new-chain x\n--append x --jump ACCEPT\n--insert x --jump DROP\n--policy INPUT DROP\n"
          "--rename-chain x y\n--append INPUT --jump y\nCOMMIT\n",
          0,
          "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:y - [0:0]\n-A INPUT -j y\n"
          "-A y -j DROP\n-A y -j ACCEPT\nCOMMIT\n" },
        /* IPv6 */
        { FAMILY_IPV6, "*filter\n:INPUT DROP [0:0]\n-A INPUT -s fe80::/10 -p ipv6-icmp -j ACCEPT\nCOMMIT\n*raw\nCOMMIT\n", 0,
          "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
          "-A INPUT -s fe80::/10 -p ipv6-icmp -j ACCEPT\nCOMMIT\n"
          "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n" },
};

START_TEST(test_file) {
        char *save = parse_ok(file_cases[_i].family, file_cases[_i].input, file_cases[_i].flags);

        ck_assert_str_eq(save, file_cases[_i].expected);
        free(save);
}
END_TEST

/* ---- bad files ---- */

static const struct {
        Family family;
        const char *input;
        const char *expected;
} error_cases[] = {
        /* tokenizer */
        { FAMILY_IPV4, "*filter\n-A INPUT -m comment --comment \"open\nCOMMIT\n",
          "t.v4:2:31: error: unterminated double quote\n" },
        { FAMILY_IPV4, "*filter\n-A INPUT -m comment --comment 'open\nCOMMIT\n",
          "t.v4:2:31: error: unterminated single quote\n" },
        /* blocks */
        { FAMILY_IPV4, "*filter\n-A INPUT -j ACCEPT\n", "t.v4:1:1: error: table filter has no COMMIT\n" },
        { FAMILY_IPV4, "# x\n*nat\n", "t.v4:2:1: error: table nat has no COMMIT\n" },
        { FAMILY_IPV4, "*filter\n*nat\nCOMMIT\n", "t.v4:2:1: error: table filter (line 1) has no COMMIT before this line\n" },
        { FAMILY_IPV4, "COMMIT\n*filter\nCOMMIT\nCOMMIT\n",
          "t.v4:1:1: error: COMMIT outside of a table\nt.v4:4:1: error: COMMIT outside of a table\n" },
        { FAMILY_IPV4, "*filter\nCOMMIT extra\n",
          "t.v4:1:1: error: table filter has no COMMIT\nt.v4:2:8: error: unexpected \"extra\" after COMMIT\n" },
        { FAMILY_IPV4, "-A INPUT\n*filter\nCOMMIT\n",
          "t.v4:1:1: error: \"-A\" outside of a table: expected *filter, *nat, *mangle, *raw or *security first\n" },
        { FAMILY_IPV4, "  :FOO - [0:0]\n*filter\nCOMMIT\n",
          "t.v4:1:3: error: \":FOO\" outside of a table: expected *filter, *nat, *mangle, *raw or *security first\n" },
        { FAMILY_IPV4, "*bogus\nCOMMIT\n",
          "t.v4:1:2: error: unknown table \"bogus\": expected filter, nat, mangle, raw or security\n"
          "t.v4:2:1: error: COMMIT outside of a table\n" },
        /* chain lines */
        { FAMILY_IPV4,
          "*filter\n:x - [1:2] extra\n:y - [a:b]\n:\n:z\n:ACCEPT -\n:-foo -\n:INPUT - [0:0]\n:mine ACCEPT\n:w -\n:w -\n"
          ":FORWARD FOO\n:RETURN -\n:aaaaaaaaaaaaaaaaaaaaaaaaaaaaa -\nCOMMIT\n",
          "t.v4:2:12: error: unexpected \"extra\" after the chain's counters\n"
          "t.v4:3:6: error: \"[a:b]\" is not [PACKETS:BYTES]\n"
          "t.v4:4:1: error: \":\" without a chain name\n"
          "t.v4:5:1: error: chain z: expected a policy (ACCEPT, DROP, or - for a user chain)\n"
          "t.v4:6:2: error: chain name ACCEPT is reserved for a target\n"
          "t.v4:7:2: error: chain name \"-foo\" may not start with '-'\n"
          "t.v4:8:8: error: \"-\" is not a policy: built-in chains take ACCEPT or DROP\n"
          "t.v4:9:7: error: user chain mine cannot have a policy (\"ACCEPT\"): write -\n"
          "t.v4:11:1: error: chain w is declared twice\n"
          "t.v4:12:10: error: \"FOO\" is not a policy: built-in chains take ACCEPT or DROP\n"
          "t.v4:13:2: error: chain name RETURN is reserved for a target\n"
          "t.v4:14:2: error: chain name \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" is longer than 28 characters\n" },
        /* rule counters */
        { FAMILY_IPV4, "*filter\n[1:2\n[a:b] -A INPUT\n[1:2]-A INPUT\n[1:] -A INPUT\nCOMMIT\n",
          "t.v4:2:1: error: \"[1:2\" is not [PACKETS:BYTES]\n"
          "t.v4:3:1: error: \"[a:b]\" is not [PACKETS:BYTES]\n"
          "t.v4:4:1: error: \"[1:2]-A\" is not [PACKETS:BYTES]\n"
          "t.v4:5:1: error: \"[1:]\" is not [PACKETS:BYTES]\n" },
        { FAMILY_IPV4, "*filter\n-A INPUT -c 1 -j ACCEPT\n-A INPUT -c a,b\nCOMMIT\n",
          "t.v4:2:13: error: -c takes PACKETS,BYTES or PACKETS BYTES, not \"1\"\n"
          "t.v4:3:13: error: -c takes PACKETS,BYTES or PACKETS BYTES, not \"a,b\"\n" },
        /* commands a rules file may not hold */
        { FAMILY_IPV4, "*filter\n-L\n-S INPUT\n-t nat -A INPUT\n-A INPUT -t filter\n--list\nCOMMIT\n",
          "t.v4:2:1: error: -L cannot be used in a rules file\n"
          "t.v4:3:1: error: -S cannot be used in a rules file\n"
          "t.v4:4:1: error: -t cannot be used in a rules file: use *TABLE\n"
          "t.v4:5:10: error: -t cannot be used in a rules file: use *TABLE\n"
          "t.v4:6:1: error: -L cannot be used in a rules file\n" },
        /* commands that fail on the model */
        { FAMILY_IPV4,
          "*filter\n-N a\n-N b\n-A INPUT -j a\n-A a -j b\n-P a DROP\n-X a\n-X b\n-X nosuch\n-N a\n-N ACCEPT\n-E b INPUT\n"
          "-E INPUT x\n-D INPUT 9\n-R INPUT 9 -j ACCEPT\n-I INPUT 3\n-D INPUT -s 9.9.9.9\n-C INPUT -j DROP\n"
          "-A nosuch -j ACCEPT\n-N c\n-A c -j ACCEPT\n-X c\n-Z INPUT 2\n-E nosuch x\n-F nosuch\n-X\nCOMMIT\n",
          "t.v4:6:1: error: chain a is not a built-in chain: it has no policy\n"
          "t.v4:7:1: error: chain a is still referenced by 1 rule\n"
          "t.v4:8:1: error: chain b is still referenced by 1 rule\n"
          "t.v4:9:1: error: chain nosuch does not exist in table filter\n"
          "t.v4:10:1: error: chain a already exists\n"
          "t.v4:11:1: error: chain name ACCEPT is reserved for a target\n"
          "t.v4:12:1: error: chain INPUT already exists\n"
          "t.v4:13:1: error: built-in chain INPUT cannot be renamed\n"
          "t.v4:14:1: error: no rule 9 in chain INPUT: it has 1 rule\n"
          "t.v4:15:1: error: no rule 9 in chain INPUT: it has 1 rule\n"
          "t.v4:16:1: error: cannot insert at position 3 in chain INPUT: it has 1 rule\n"
          "t.v4:17:1: error: no rule in chain INPUT matches this one\n"
          "t.v4:18:1: error: no rule in chain INPUT matches this one\n"
          "t.v4:19:1: error: chain nosuch does not exist in table filter\n"
          "t.v4:22:1: error: chain c is not empty: it has 1 rule\n"
          "t.v4:23:1: error: no rule 2 in chain INPUT: it has 1 rule\n"
          "t.v4:24:1: error: chain nosuch does not exist in table filter\n"
          "t.v4:25:1: error: chain nosuch does not exist in table filter\n"
          "t.v4:26:1: error: chain a is not empty: it has 1 rule\n" },
        /* -D by specification: the model keeps the order of matches, so another order is another rule */
        { FAMILY_IPV4,
          "*filter\n-A INPUT -m state --state NEW -m mark --mark 1\n-D INPUT -m mark --mark 1 -m state --state NEW\nCOMMIT\n",
          "t.v4:3:1: error: no rule in chain INPUT matches this one\n" },
        /* ambiguous abbreviations */
        { FAMILY_IPV4, "*filter\n-A INPUT --d 1.2.3.4\n-A INPUT -p tcp --d 22\n-A INPUT -p tcp --dport 1 --dest 1.1.1.1\n"
          "-A INPUT -p tcp --s 1\n-A INPUT --in 1\nCOMMIT\n",
          "t.v4:2:10: error: option \"--d\" is ambiguous\n"
          "t.v4:3:17: error: option \"--d\" is ambiguous\n"
          "t.v4:4:27: error: option \"--dest\" is ambiguous\n"
          "t.v4:5:17: error: option \"--s\" is ambiguous\n"
          "t.v4:6:10: error: option \"--in\" is ambiguous\n" },
        /* negation in the wrong place */
        { FAMILY_IPV4,
          "*filter\n-A INPUT -p tcp --dport ! 22\n-A INPUT -s ! 1.2.3.4\n-A INPUT ! ! -s 1.2.3.4\n-A INPUT -j ACCEPT !\n"
          "-A INPUT ! -p all\n-A INPUT ! -j ACCEPT\n-A INPUT ! -m tcp\n-A INPUT -p tcp \"!\" --dport 22\n"
          "-A INPUT -p tcp ! --tcp-option\n-A INPUT -m comment ! --comment x\n-A INPUT --protocol ! tcp\nCOMMIT\n",
          "t.v4:2:25: error: \"--dport ! VALUE\" is the old form: write \"! --dport VALUE\"\n"
          "t.v4:3:13: error: \"-s ! VALUE\" is the old form: write \"! -s VALUE\"\n"
          "t.v4:4:12: error: \"!\" given twice\n"
          "t.v4:5:20: error: \"!\" at the end of the line\n"
          "t.v4:6:15: error: \"! -p all\" would never match a packet\n"
          "t.v4:7:12: error: \"!\" cannot go before \"-j\"\n"
          "t.v4:8:12: error: \"!\" cannot go before \"-m\"\n"
          "t.v4:9:17: error: unexpected \"!\": expected an option\n"
          "t.v4:10:19: error: option \"--tcp-option\" needs an argument\n"
          "t.v4:11:23: error: option \"--comment\" cannot be inverted\n"
          "t.v4:12:21: error: \"--protocol ! VALUE\" is the old form: write \"! --protocol VALUE\"\n" },
        /* implicit matches need -p before their options, and not inverted */
        { FAMILY_IPV4,
          "*filter\n-A INPUT --dport 22\n-A INPUT --dport 22 -p tcp\n-A INPUT ! -p tcp --dport 22\n-A INPUT -m tcp --dport 22\n"
          "-A INPUT -p tcp --dport 22 -m udp\n-A INPUT -p gre --dport 22\nCOMMIT\n",
          "t.v4:2:10: error: unknown option \"--dport\"\n"
          "t.v4:3:10: error: unknown option \"--dport\"\n"
          "t.v4:4:19: error: unknown option \"--dport\"\n"
          "t.v4:5:13: error: -m tcp requires -p tcp\n"
          "t.v4:6:31: error: -m udp requires -p udp\n"
          "t.v4:7:17: error: unknown option \"--dport\"\n" },
        /* core options */
        { FAMILY_IPV4,
          "*filter\n-A INPUT -s 1.2.3.4/33\n-A INPUT -s host.example\n-A INPUT -s 1.2.3.4,5.6.7.8\n"
          "-A INPUT -s 1.1.1.1 -s 2.2.2.2\n-A INPUT -p tcp -p udp\n-A INPUT -p nosuch\n-A INPUT -p 256\n"
          "-A INPUT -i eth/0\n-A INPUT -i \"\"\n-A INPUT -i a+b\n-A INPUT -i abcdefghijklmnop\n"
          "-A INPUT -j ACCEPT -j DROP\n-A INPUT -j\n-A INPUT -p\n-A INPUT -f -f\n-A INPUT -s ::1\n"
          "-A INPUT --bogus\n-A INPUT -q\n-A INPUT --\n-A INPUT x\n-A INPUT -p tcp --syn=1\n"
          "-A INPUT -j RETURN -g x\n-A\n-A INPUT -D INPUT\n-A aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
          "-A INPUT -j aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n-I INPUT 0\n-R INPUT -j ACCEPT\n-A INPUT 5\n"
          "-P INPUT REJECT\n-F INPUT -j ACCEPT\nCOMMIT\n",
          "t.v4:2:13: error: \"1.2.3.4/33\": the prefix length must be a number from 0 to 32\n"
          "t.v4:3:13: error: --source: \"host.example\" is not an IPv4 address (host names are not resolved)\n"
          "t.v4:4:13: error: several addresses in one -s (\"1.2.3.4,5.6.7.8\") are not supported: write one rule each\n"
          "t.v4:5:21: error: option \"-s\" given more than once\n"
          "t.v4:6:17: error: option \"-p\" given more than once\n"
          "t.v4:7:13: error: unknown protocol \"nosuch\"\n"
          "t.v4:8:13: error: unknown protocol \"256\"\n"
          "t.v4:9:13: error: invalid interface name \"eth/0\"\n"
          "t.v4:10:13: error: interface name \"\" must have 1 to 15 characters\n"
          "t.v4:11:13: error: invalid interface name \"a+b\"\n"
          "t.v4:12:13: error: interface name \"abcdefghijklmnop\" must have 1 to 15 characters\n"
          "t.v4:13:23: error: only one -j or -g per rule\n"
          "t.v4:14:10: error: option \"-j\" needs an argument\n"
          "t.v4:15:10: error: option \"-p\" needs an argument\n"
          "t.v4:16:13: error: option \"-f\" given more than once\n"
          "t.v4:17:13: error: --source: \"::1\" is not an IPv4 address (host names are not resolved)\n"
          "t.v4:18:10: error: unknown option \"--bogus\"\n"
          "t.v4:19:10: error: unknown option \"-q\"\n"
          "t.v4:20:10: error: unexpected \"--\"\n"
          "t.v4:21:10: error: unexpected \"x\": expected an option\n"
          "t.v4:22:17: error: option \"--syn\" takes no argument\n"
          "t.v4:23:23: error: only one -j or -g per rule\n"
          "t.v4:24:1: error: option \"-A\" needs an argument\n"
          "t.v4:25:10: error: only one command per line: -A and -D\n"
          "t.v4:26:4: error: chain name \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" is longer than 28 characters\n"
          "t.v4:27:13: error: chain name \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" is longer than 28 characters\n"
          "t.v4:28:10: error: \"0\" is not a rule number (1, 2, ...)\n"
          "t.v4:29:1: error: -R needs a rule number after the chain\n"
          "t.v4:30:10: error: unexpected \"5\": expected an option\n"
          "t.v4:31:10: error: \"REJECT\" is not a policy: built-in chains take ACCEPT or DROP\n"
          "t.v4:32:1: error: -F takes no rule specification\n" },
        /* -f and addresses per family */
        { FAMILY_IPV6, "*filter\n-A INPUT -f\n-A INPUT ! -f\n-A INPUT -s 1.2.3.4\n-A INPUT -d ::1/129\nCOMMIT\n",
          "t.v6:2:10: error: -f exists for IPv4 only\n"
          "t.v6:3:12: error: -f exists for IPv4 only\n"
          "t.v6:4:13: error: --source: \"1.2.3.4\" is not an IPv6 address (host names are not resolved)\n"
          "t.v6:5:13: error: \"::1/129\": the prefix length must be a number from 0 to 128\n" },
        /* extensions: unknown, unsupported, wrong family; targets that are no chains */
        { FAMILY_IPV4,
          "*filter\n-A INPUT -m nosuch\n-A INPUT -m recent --set\n-A INPUT -j NFQUEUE\n-A INPUT -m icmp6\n"
          "-A INPUT -j HL --hl-set 5\n-A INPUT -g ACCEPT\n-A INPUT -g REJECT\n-A INPUT -g TPROXY\n"
          "-A INPUT -j ACCEPT --foo\n-A INPUT -p tcp --dport 22 --foo\nCOMMIT\n",
          "t.v4:2:13: error: unknown match \"nosuch\"\n"
          "t.v4:3:13: error: match \"recent\" is not supported by nfwall: it has no native nf_tables translation in nfwall\n"
          "t.v4:4:13: error: target \"NFQUEUE\" is not supported by nfwall: it has no native nf_tables translation in nfwall\n"
          "t.v4:5:13: error: match \"icmp6\" is not available for IPv4 (iptables)\n"
          "t.v4:6:13: error: target \"HL\" is not available for IPv4 (iptables)\n"
          "t.v4:7:13: error: -g needs a user chain, not \"ACCEPT\"\n"
          "t.v4:8:13: error: -g needs a user chain, not \"REJECT\"\n"
          "t.v4:9:13: error: -g needs a user chain, not \"TPROXY\"\n"
          "t.v4:10:20: error: unknown option \"--foo\" (for target ACCEPT)\n"
          "t.v4:11:28: error: unknown option \"--foo\" (for match tcp)\n" },
        /* jumps: to an undefined chain (an unknown target), to a built-in chain */
        { FAMILY_IPV4, "*filter\n:u - [0:0]\n-A INPUT -j NOSUCH\n-A u -g nosuch\n-A u -j INPUT\n-A INPUT -j u\nCOMMIT\n",
          "t.v4:3:13: error: chain NOSUCH does not exist in table filter (and NOSUCH is no target nfwall knows)\n"
          "t.v4:4:9: error: chain nosuch does not exist in table filter (and nosuch is no target nfwall knows)\n"
          "t.v4:5:9: error: cannot jump to built-in chain INPUT\n" },
        /* a chain defined in another table does not count */
        { FAMILY_IPV4, "*nat\n:u - [0:0]\nCOMMIT\n*filter\n-A INPUT -j u\nCOMMIT\n",
          "t.v4:5:13: error: chain u does not exist in table filter (and u is no target nfwall knows)\n" },
        /* loops */
        { FAMILY_IPV4, "*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j B\n-A B -j A\nCOMMIT\n",
          "t.v4:5:9: error: jump from chain B to A makes a loop\n" },
        { FAMILY_IPV4, "*filter\n:A - [0:0]\n-A INPUT -j A\n-A A -g A\nCOMMIT\n",
          "t.v4:4:9: error: jump from chain A to A makes a loop\n" },
        { FAMILY_IPV4, "*filter\n:a - [0:0]\n:b - [0:0]\n:c - [0:0]\n-A INPUT -j a\n-A a -j b\n-A b -j c\n-A c -j a\nCOMMIT\n",
          "t.v4:8:9: error: jump from chain c to a makes a loop\n" },
        /* tables and hooks */
        { FAMILY_IPV4, "*nat\n-A INPUT -p tcp -j DNAT --to-destination 1.2.3.4\nCOMMIT\n",
          "t.v4:2:20: error: target DNAT is only valid in PREROUTING, OUTPUT, not in INPUT\n" },
        { FAMILY_IPV4, "*nat\n-A PREROUTING -j MASQUERADE\nCOMMIT\n",
          "t.v4:2:18: error: target MASQUERADE is only valid in POSTROUTING, not in PREROUTING\n" },
        { FAMILY_IPV4, "*filter\n-A INPUT -j MASQUERADE\n-A INPUT -j NOTRACK\nCOMMIT\n",
          "t.v4:2:13: error: target MASQUERADE cannot be used in table filter\n"
          "t.v4:3:13: error: target NOTRACK cannot be used in table filter\n" },
        { FAMILY_IPV4, "*filter\n:own - [0:0]\n-A INPUT -j own\n-A OUTPUT -j own\n-A own -m owner --uid-owner 0\nCOMMIT\n",
          "t.v4:5:11: error: match owner is only valid in OUTPUT, but chain own is reached from INPUT\n" },
        { FAMILY_IPV4,
          "*filter\n:a - [0:0]\n:b - [0:0]\n-A FORWARD -j a\n-A a -g b\n-A b -m owner --uid-owner 0\nCOMMIT\n",
          "t.v4:6:9: error: match owner is only valid in OUTPUT, but chain b is reached from FORWARD\n" },
        { FAMILY_IPV4, "*mangle\n:m - [0:0]\n-A PREROUTING -j m\n-A INPUT -j m\n-A m -m owner --uid-owner 0\nCOMMIT\n",
          "t.v4:5:9: error: match owner is only valid in OUTPUT, POSTROUTING, but chain m is reached from PREROUTING, INPUT\n" },
        /* every bad line, in line order, whatever stage found it */
        { FAMILY_IPV4,
          "*filter\n-A INPUT -j nowhere\n-A INPUT -p bogus\n-A INPUT -j ACCEPT\nCOMMIT\n*nat\n-A INPUT -j MASQUERADE\n"
          "-A POSTROUTING --bogus\nCOMMIT\n",
          "t.v4:2:13: error: chain nowhere does not exist in table filter (and nowhere is no target nfwall knows)\n"
          "t.v4:3:13: error: unknown protocol \"bogus\"\n"
          "t.v4:7:13: error: target MASQUERADE is only valid in POSTROUTING, not in INPUT\n"
          "t.v4:8:16: error: unknown option \"--bogus\"\n" },
        /* recovery at the next line: later lines still count (here: a chain made after a bad line) */
        { FAMILY_IPV4, "*filter\n-N x -p tcp\n-A x -j ACCEPT\n-N y\n-A y -p\n-A y -j ACCEPT\n-A INPUT -j y\n-A INPUT -j x\nCOMMIT\n",
          "t.v4:2:1: error: -N takes no rule specification\n"
          "t.v4:3:1: error: chain x does not exist in table filter\n"
          "t.v4:5:6: error: option \"-p\" needs an argument\n"
          "t.v4:8:13: error: chain x does not exist in table filter (and x is no target nfwall knows)\n" },
};

START_TEST(test_error) {
        char *diags = parse_fail(error_cases[_i].family, error_cases[_i].input);

        ck_assert_str_eq(diags, error_cases[_i].expected);
        free(diags);
}
END_TEST

/* Diagnostics carry their kind as data. */
static const struct {
        const char *line;
        DiagCode code;
} code_cases[] = {
        { "-A INPUT -m recent --set", DIAG_UNSUPPORTED },
        { "-A INPUT -j NFQUEUE", DIAG_UNSUPPORTED },
        { "-A INPUT -s 1.2.3.4,5.6.7.8", DIAG_UNSUPPORTED },
        { "-A INPUT -m nosuch", DIAG_SYNTAX },
        { "-A INPUT --bogus", DIAG_SYNTAX },
        { "-A INPUT -j nosuch", DIAG_PARAMETER },
        { "-A INPUT -j INPUT", DIAG_PARAMETER },
        { "-A INPUT -j MASQUERADE", DIAG_SEMANTIC },
        { "-A INPUT -m tcp", DIAG_SEMANTIC },
        { "-A nosuch", DIAG_SEMANTIC },
        { "-A INPUT -m icmp6", DIAG_SEMANTIC },
};

START_TEST(test_error_code) {
        DiagList diags = DIAG_LIST_INIT;
        Ruleset *rs = NULL;
        char text[256];

        snprintf(text, sizeof(text), "*filter\n%s\nCOMMIT\n", code_cases[_i].line);
        ck_assert_int_eq(ruleset_parse_string(text, strlen(text), "t", FAMILY_IPV4, &diags, &rs), -EINVAL);
        ck_assert_ptr_null(rs);
        ck_assert_uint_eq(diags.n_items, 1);
        ck_assert_int_eq(diags.items[0].level, DIAG_ERROR);
        ck_assert_msg(diags.items[0].code == code_cases[_i].code, "\"%s\": code %s, expected %s", code_cases[_i].line,
                      diag_code_to_string(diags.items[0].code), diag_code_to_string(code_cases[_i].code));
        diag_list_deinit(&diags);
}
END_TEST

/* ---- the parser as an object ---- */

START_TEST(test_parser_lines) {
        DiagList diags = DIAG_LIST_INIT;
        RulesetParser *p = NULL;
        Ruleset *rs = NULL;
        StrBuf out = STRBUF_INIT;
        const Table *t;
        const Chain *c;
        static const char *const lines[] = {
                "*filter", ":INPUT DROP [0:0]", "-A INPUT -s 1.2.3.4 -j ACCEPT", "-A INPUT -j DROP", "COMMIT",
        };

        ck_assert_int_eq(ruleset_parser_new(FAMILY_IPV4, "lines.v4", &diags, &p), 0);
        for (size_t i = 0; i < N_ELEMENTS(lines); i++)
                ck_assert_int_eq(ruleset_parser_feed_line(p, lines[i], strlen(lines[i])), 0);
        /* a line ends at len, not at a NUL */
        ck_assert_int_eq(ruleset_parser_feed_line(p, "# comment -A INPUT", 9), 0);
        ck_assert_int_eq(ruleset_parser_finish(p, &rs), 0);
        ruleset_parser_free(p);
        ck_assert_uint_eq(diags.n_items, 0);
        ck_assert_ptr_nonnull(rs);
        ruleset_print_save(rs, FAMILY_IPV4, 0, &out);
        ck_assert_str_eq(strbuf_str(&out), "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                                           "-A INPUT -s 1.2.3.4/32 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n");
        /* every node knows where it came from */
        t = ruleset_get_table(rs, FAMILY_IPV4, TABLE_FILTER);
        ck_assert_ptr_nonnull(t);
        ck_assert_str_eq(t->loc.file, "lines.v4");
        ck_assert_uint_eq(t->loc.line, 1);
        c = table_find_chain(t, "INPUT");
        ck_assert_uint_eq(c->loc.line, 2);
        ck_assert_uint_eq(c->rules[0]->loc.line, 3);
        ck_assert_uint_eq(c->rules[1]->loc.line, 4);
        ck_assert_str_eq(c->rules[1]->loc.file, "lines.v4");
        ck_assert_uint_eq(c->rules[0]->target->column, 24);
        ck_assert_ptr_null(ruleset_get_table(rs, FAMILY_IPV6, TABLE_FILTER));
        ruleset_free(rs);
        strbuf_deinit(&out);
        diag_list_deinit(&diags);
}
END_TEST

/* Earlier errors in the caller's list are not this file's. */
START_TEST(test_parser_earlier_errors) {
        DiagList diags = DIAG_LIST_INIT;
        Ruleset *rs = NULL;
        const char *text = "*filter\nCOMMIT\n";

        ck_assert_int_eq(diag_list_add(&diags, DIAG_ERROR, DIAG_IO, NULL, "earlier"), 0);
        ck_assert_int_eq(ruleset_parse_string(text, strlen(text), "t", FAMILY_IPV4, &diags, &rs), 0);
        ck_assert_ptr_nonnull(rs);
        ck_assert_uint_eq(diags.n_items, 1);
        ruleset_free(rs);
        diag_list_deinit(&diags);
}
END_TEST

/* Nothing after an error hands out a ruleset, even when the rest was fine. */
START_TEST(test_parser_no_ruleset) {
        DiagList diags = DIAG_LIST_INIT;
        RulesetParser *p = NULL;
        Ruleset *rs = NULL;

        ck_assert_int_eq(ruleset_parser_new(FAMILY_IPV6, NULL, &diags, &p), 0);
        ck_assert_int_eq(ruleset_parser_feed_line(p, "*filter", 7), 0);
        ck_assert_int_eq(ruleset_parser_feed_line(p, "-A INPUT -j nosuch", 18), 0);
        ck_assert_int_eq(ruleset_parser_feed_line(p, "COMMIT", 6), 0);
        ck_assert_int_eq(ruleset_parser_finish(p, &rs), -EINVAL);
        ck_assert_ptr_null(rs);
        ruleset_parser_free(p);
        ck_assert_uint_eq(diags.n_items, 1);
        ck_assert_str_eq(diags.items[0].file, "<input>");
        ck_assert_uint_eq(diags.items[0].line, 2);
        diag_list_deinit(&diags);
        ck_assert_ptr_null(ruleset_parser_free(NULL));
}
END_TEST

static char *memfd_path(const char *text, int *ret_fd) {
        char *path = NULL;
        int fd = memfd_create("rules", 0);

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        ck_assert_int_ge(asprintf(&path, "/proc/self/fd/%d", fd), 0);
        *ret_fd = fd;
        return path;
}

START_TEST(test_parse_file) {
        DiagList diags = DIAG_LIST_INIT;
        Ruleset *rs = NULL;
        StrBuf out = STRBUF_INIT;
        int fd4, fd6;
        char *v4 = memfd_path("*filter\n-A INPUT -j ACCEPT\nCOMMIT\n", &fd4);
        char *v6 = memfd_path("*filter\n-A INPUT -s ::1 -j DROP\nCOMMIT\n", &fd6);

        ck_assert_int_eq(ruleset_parse_file(v4, FAMILY_IPV4, &diags, &rs), 0);
        ck_assert_int_eq(ruleset_parse_file_into(rs, v6, FAMILY_IPV6, &diags), 0);
        ck_assert_uint_eq(diags.n_items, 0);
        ck_assert_uint_eq(ruleset_count_rules(rs), 2);
        ruleset_print_save(rs, FAMILY_IPV6, 0, &out);
        ck_assert_str_eq(strbuf_str(&out), "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                                           "-A INPUT -s ::1/128 -j DROP\nCOMMIT\n");
        /* the locations of both files stay valid */
        ck_assert_str_eq(ruleset_get_table(rs, FAMILY_IPV4, TABLE_FILTER)->chains[0]->rules[0]->loc.file, v4);
        ck_assert_str_eq(ruleset_get_table(rs, FAMILY_IPV6, TABLE_FILTER)->chains[0]->rules[0]->loc.file, v6);
        ruleset_free(rs);
        strbuf_deinit(&out);
        diag_list_deinit(&diags);
        close(fd4);
        close(fd6);
        free(v4);
        free(v6);
}
END_TEST

START_TEST(test_parse_file_missing) {
        DiagList diags = DIAG_LIST_INIT;
        Ruleset *rs = NULL;
        char *d;

        ck_assert_int_eq(ruleset_parse_file("/nonexistent/rules.v4", FAMILY_IPV4, &diags, &rs), -ENOENT);
        ck_assert_ptr_null(rs);
        ck_assert_uint_eq(diags.n_items, 1);
        ck_assert_int_eq(diags.items[0].code, DIAG_IO);
        d = render_diags(&diags);
        ck_assert_str_eq(d, "/nonexistent/rules.v4: error: cannot open: No such file or directory\n");
        free(d);
        diag_list_deinit(&diags);
}
END_TEST

/* ---- single commands ---- */

/* A command rendered as "TYPE chain=... [new=...] [policy=...] [rulenum=N] [counters=p,b] flags=... rule=..." */
static char *command_render(const Command *c, Family family) {
        static const char *const flag_names[] = { "numeric", "verbose", "exact", "line-numbers", "table",
                                                  "chain", "rulenum", "counters", "ipv4", "ipv6", "list-zero" };
        StrBuf b = STRBUF_INIT;
        char *s;

        strbuf_puts(&b, command_type_to_string(c->type));
        strbuf_printf(&b, " table=%s", table_type_to_string(c->table));
        if (c->flags & COMMAND_HAS_CHAIN)
                strbuf_printf(&b, " chain=%s", c->chain);
        if (c->type == COMMAND_RENAME_CHAIN)
                strbuf_printf(&b, " new=%s", c->new_name);
        if (c->type == COMMAND_POLICY)
                strbuf_printf(&b, " policy=%s", policy_to_string(c->policy));
        if (c->flags & COMMAND_HAS_RULENUM)
                strbuf_printf(&b, " rulenum=%zu", c->rulenum);
        if (c->flags & COMMAND_HAS_COUNTERS)
                strbuf_printf(&b, " counters=%llu,%llu", (unsigned long long)c->counters.packets,
                              (unsigned long long)c->counters.bytes);
        strbuf_puts(&b, " flags=");
        for (size_t i = 0, first = 1; i < N_ELEMENTS(flag_names); i++)
                if (c->flags & (1u << i)) {
                        if (!first)
                                strbuf_putc(&b, ',');
                        strbuf_puts(&b, flag_names[i]);
                        first = 0;
                }
        if (c->rule) {
                strbuf_puts(&b, " rule=");
                rule_print_spec(c->rule, family, &b);
        }
        s = strdup(strbuf_str(&b));
        strbuf_deinit(&b);
        return s;
}

static int command_from_line(Family family, const char *line, char **ret) {
        DiagList diags = DIAG_LIST_INIT;
        ParseContext ctx = { .family = family, .file = "cmd", .line = 1, .table = TABLE_FILTER, .diags = &diags };
        TokenBuffer tb = TOKEN_BUFFER_INIT;
        Command cmd = COMMAND_INIT;
        int r;

        ck_assert_int_eq(line_tokenize(&ctx, line, strlen(line), &tb), 0);
        r = command_parse(&ctx, tb.tokens, tb.n_tokens, &cmd);
        if (r == 0) {
                ck_assert_uint_eq(diags.n_items, 0);
                *ret = command_render(&cmd, family);
        } else {
                ck_assert_int_eq(r, -EINVAL);
                ck_assert_ptr_null(cmd.rule);
                *ret = render_diags(&diags);
        }
        command_deinit(&cmd);
        token_buffer_deinit(&tb);
        diag_list_deinit(&diags);
        return r;
}

static const struct {
        Family family;
        const char *line;
        const char *expected;
} command_cases[] = {
        { FAMILY_IPV4, "-A INPUT -p tcp --dport 22 -j ACCEPT",
          "-A table=filter chain=INPUT flags=chain rule= -p tcp -m tcp --dport 22 -j ACCEPT" },
        { FAMILY_IPV4, "-I INPUT 3 -j ACCEPT", "-I table=filter chain=INPUT rulenum=3 flags=chain,rulenum rule= -j ACCEPT" },
        { FAMILY_IPV4, "-I INPUT -j ACCEPT", "-I table=filter chain=INPUT flags=chain rule= -j ACCEPT" },
        { FAMILY_IPV4, "-C INPUT -s 1.2.3.4", "-C table=filter chain=INPUT flags=chain rule= -s 1.2.3.4/32" },
        { FAMILY_IPV4, "-D INPUT 3", "-D table=filter chain=INPUT rulenum=3 flags=chain,rulenum" },
        { FAMILY_IPV4, "-D INPUT -j DROP", "-D table=filter chain=INPUT flags=chain rule= -j DROP" },
        { FAMILY_IPV4, "-R INPUT 2 -j DROP", "-R table=filter chain=INPUT rulenum=2 flags=chain,rulenum rule= -j DROP" },
        { FAMILY_IPV4, "-L", "-L table=filter flags=" },
        { FAMILY_IPV4, "-nvL", "-L table=filter flags=numeric,verbose" },
        { FAMILY_IPV4, "-L -vn", "-L table=filter flags=numeric,verbose" },
        { FAMILY_IPV4, "-L INPUT -n -v -x --line-numbers",
          "-L table=filter chain=INPUT flags=numeric,verbose,exact,line-numbers,chain" },
        { FAMILY_IPV4, "--list FORWARD --numeric --verbose --exact --line",
          "-L table=filter chain=FORWARD flags=numeric,verbose,exact,line-numbers,chain" },
        { FAMILY_IPV4, "-S", "-S table=filter flags=" },
        { FAMILY_IPV4, "-S INPUT 2", "-S table=filter chain=INPUT rulenum=2 flags=chain,rulenum" },
        { FAMILY_IPV4, "-t nat -A POSTROUTING -j MASQUERADE",
          "-A table=nat chain=POSTROUTING flags=table,chain rule= -j MASQUERADE" },
        { FAMILY_IPV4, "-A POSTROUTING -j MASQUERADE --table nat",
          "-A table=nat chain=POSTROUTING flags=table,chain rule= -j MASQUERADE" },
        { FAMILY_IPV4, "-P INPUT DROP", "-P table=filter chain=INPUT policy=DROP flags=chain" },
        { FAMILY_IPV4, "-P INPUT DROP -c 1,2", "-P table=filter chain=INPUT policy=DROP counters=1,2 flags=chain,counters" },
        { FAMILY_IPV4, "-E a b", "-E table=filter chain=a new=b flags=chain" },
        { FAMILY_IPV4, "-N x", "-N table=filter chain=x flags=chain" },
        { FAMILY_IPV4, "--new-chain x", "-N table=filter chain=x flags=chain" },
        { FAMILY_IPV4, "--new x", "-N table=filter chain=x flags=chain" },
        { FAMILY_IPV4, "-X", "-X table=filter flags=" },
        { FAMILY_IPV4, "-X x", "-X table=filter chain=x flags=chain" },
        { FAMILY_IPV4, "-F", "-F table=filter flags=" },
        { FAMILY_IPV4, "-F INPUT -w -W 10", "-F table=filter chain=INPUT flags=chain" },
        { FAMILY_IPV4, "-Z", "-Z table=filter flags=" },
        { FAMILY_IPV4, "-Z INPUT 1", "-Z table=filter chain=INPUT rulenum=1 flags=chain,rulenum" },
        { FAMILY_IPV4, "-4 -A INPUT", "-A table=filter chain=INPUT flags=chain,ipv4 rule=" },
        { FAMILY_IPV6, "-6 -A INPUT -s ::1", "-A table=filter chain=INPUT flags=chain,ipv6 rule= -s ::1/128" },
        { FAMILY_IPV4, "-A INPUT -c 1,2 -j ACCEPT", "-A table=filter chain=INPUT counters=1,2 flags=chain,counters rule= -j ACCEPT" },
        /* errors */
        { FAMILY_IPV4, "", "cmd:1: error: no command: expected -A, -I, -D, -R, -N, -X, -P, -F, -Z, -E, -C, -L or -S\n" },
        { FAMILY_IPV4, "-p tcp", "cmd:1:1: error: no command: expected -A, -I, -D, -R, -N, -X, -P, -F, -Z, -E, -C, -L or -S\n" },
        { FAMILY_IPV4, "-L -p tcp", "cmd:1:1: error: -L takes no rule specification\n" },
        { FAMILY_IPV4, "-X -j ACCEPT", "cmd:1:1: error: -X takes no rule specification\n" },
        { FAMILY_IPV4, "-D INPUT 0", "cmd:1:10: error: \"0\" is not a rule number (1, 2, ...)\n" },
        { FAMILY_IPV4, "-I INPUT x", "cmd:1:10: error: unexpected \"x\": expected an option\n" },
        { FAMILY_IPV4, "-N", "cmd:1:1: error: option \"-N\" needs an argument\n" },
        { FAMILY_IPV4, "-A -x", "cmd:1:4: error: chain name \"-x\" may not start with '-'\n" },
        { FAMILY_IPV4, "-P INPUT", "cmd:1:1: error: -P needs a policy (ACCEPT or DROP)\n" },
        { FAMILY_IPV4, "-E a", "cmd:1:1: error: -E needs the old and the new chain name\n" },
        { FAMILY_IPV4, "-t bogus -L", "cmd:1:4: error: unknown table \"bogus\"\n" },
        { FAMILY_IPV4, "-A INPUT --append INPUT", "cmd:1:10: error: only one command per line: -A and -A\n" },
        { FAMILY_IPV4, "-L -Z", "-L table=filter flags=list-zero" },
        /* kube-proxy's and Docker's -w [SECONDS] -W USECS: read, not needed */
        { FAMILY_IPV4, "-w 5 -W 100000 -A INPUT -j ACCEPT", "-A table=filter chain=INPUT flags=chain rule= -j ACCEPT" },
        { FAMILY_IPV4, "-A INPUT -j ACCEPT --wait=2", "-A table=filter chain=INPUT flags=chain rule= -j ACCEPT" },
        { FAMILY_IPV4, "-w -L", "-L table=filter flags=" },
        { FAMILY_IPV4, "--wait=soon -L", "cmd:1:1: error: --wait: \"soon\" is not a number of seconds\n" },
        { FAMILY_IPV4, "-Z INPUT -L", "-L table=filter chain=INPUT flags=chain,list-zero" },
        { FAMILY_IPV4, "-L INPUT 2 -n", "-L table=filter chain=INPUT rulenum=2 flags=numeric,chain,rulenum" },
        { FAMILY_IPV4, "-L INPUT -Z FORWARD", "cmd:1:13: error: -L -Z take one chain, not two\n" },
        { FAMILY_IPV4, "-L -S", "cmd:1:4: error: only one command per line: -L and -S\n" },
};

START_TEST(test_command) {
        char *out = NULL;

        command_from_line(command_cases[_i].family, command_cases[_i].line, &out);
        ck_assert_str_eq(out, command_cases[_i].expected);
        free(out);
}
END_TEST

/* command_apply() tells "no such rule" (-ENOENT) from other failures. */
START_TEST(test_command_apply) {
        DiagList diags = DIAG_LIST_INIT;
        ParseContext ctx = { .family = FAMILY_IPV4, .file = "cmd", .line = 1, .table = TABLE_FILTER, .diags = &diags };
        static const struct {
                const char *line;
                int ret;
        } steps[] = {
                { "-A INPUT -p tcp --dport 22 -j ACCEPT", 0 },
                { "-C INPUT -p tcp --dport 22 -j ACCEPT", 0 },
                { "-C INPUT -p tcp --dport 23 -j ACCEPT", -ENOENT },
                { "-D INPUT 2", -ENOENT },
                { "-I INPUT 3 -j DROP", -ENOENT },
                { "-A nosuch -j DROP", -ENOENT },
                { "-N INPUT", -EEXIST },
                { "-N u", 0 },
                { "-A INPUT -j u", 0 },
                { "-X u", -EBUSY },
                { "-P u DROP", -EINVAL },
                { "-D INPUT -j u", 0 },
                { "-A u -j ACCEPT", 0 },
                { "-X u", -ENOTEMPTY },
                { "-F u", 0 },
                { "-X u", 0 },
                { "-D INPUT -p tcp --dport 22 -j ACCEPT", 0 },
                { "-D INPUT -p tcp --dport 22 -j ACCEPT", -ENOENT },
        };
        Ruleset *rs = NULL;
        Table *t = NULL;

        ck_assert_int_eq(ruleset_new(&rs), 0);
        ck_assert_int_eq(ruleset_ensure_table(rs, FAMILY_IPV4, TABLE_FILTER, NULL, &t), 0);
        for (size_t i = 0; i < N_ELEMENTS(steps); i++) {
                TokenBuffer tb = TOKEN_BUFFER_INIT;
                Command cmd = COMMAND_INIT;
                int r;

                ck_assert_int_eq(line_tokenize(&ctx, steps[i].line, strlen(steps[i].line), &tb), 0);
                ck_assert_int_eq(command_parse(&ctx, tb.tokens, tb.n_tokens, &cmd), 0);
                r = command_apply(t, &cmd, &diags);
                ck_assert_msg(r == steps[i].ret, "\"%s\": %d, expected %d", steps[i].line, r, steps[i].ret);
                command_deinit(&cmd);
                token_buffer_deinit(&tb);
        }
        ck_assert_uint_eq(ruleset_count_rules(rs), 0);
        ck_assert_uint_eq(t->n_chains, 3);
        ruleset_free(rs);
        diag_list_deinit(&diags);
}
END_TEST

/* Parses one command line into cmd (the test's), with ctx's family and table. */
static void command_line(const ParseContext *ctx, const char *line, Command *cmd) {
        TokenBuffer tb = TOKEN_BUFFER_INIT;

        ck_assert_int_eq(line_tokenize(ctx, line, strlen(line), &tb), 0);
        ck_assert_msg(command_parse(ctx, tb.tokens, tb.n_tokens, cmd) == 0, "\"%s\" does not parse", line);
        token_buffer_deinit(&tb);
}

/*
 * Runtime edits ask the kernel between the two halves of command_apply():
 * command_resolve() must find the place and change nothing, and
 * table_check_rule() must leave the table as it was, refused or not.
 */
START_TEST(test_command_resolve) {
        DiagList diags = DIAG_LIST_INIT;
        ParseContext ctx = { .family = FAMILY_IPV4, .file = "cmd", .line = 1, .table = TABLE_FILTER, .diags = &diags };
        static const char *const setup[] = {
                "-A INPUT -p tcp --dport 22 -j ACCEPT",
                "-A INPUT -p tcp --dport 23 -j ACCEPT",
                "-N u",
                "-N v",
                "-A u -j v",
        };
        _cleanup_(ruleset_freep) Ruleset *rs = NULL;
        _cleanup_free_ char *text = NULL;
        Command cmd = COMMAND_INIT;
        CommandPlan plan;
        Chain *input, *v;
        Table *t = NULL;

        ck_assert_int_eq(ruleset_new(&rs), 0);
        ck_assert_int_eq(ruleset_ensure_table(rs, FAMILY_IPV4, TABLE_FILTER, NULL, &t), 0);
        for (size_t i = 0; i < N_ELEMENTS(setup); i++) {
                command_line(&ctx, setup[i], &cmd);
                ck_assert_int_eq(command_apply(t, &cmd, &diags), 0);
                command_deinit(&cmd);
        }
        input = table_find_chain(t, "INPUT");
        v = table_find_chain(t, "v");

        /* -I 2: found, not done */
        command_line(&ctx, "-I INPUT 2 -j DROP", &cmd);
        ck_assert_int_eq(command_resolve(t, &cmd, &diags, &plan), 0);
        ck_assert_ptr_eq(plan.chain, input);
        ck_assert_uint_eq(plan.index, 1);
        ck_assert_uint_eq(input->n_rules, 2);
        ck_assert_int_eq(table_check_rule(t, input, plan.index, false, cmd.rule, &diags), 0);
        ck_assert_uint_eq(input->n_rules, 2);
        ck_assert_int_eq(command_execute(t, &cmd, &plan), 0);
        ck_assert_ptr_null(cmd.rule);
        command_deinit(&cmd);
        ck_assert_uint_eq(input->n_rules, 3);
        ck_assert_ptr_eq(input->rules[1]->target->ext, extension_by_target_type(TARGET_DROP));

        /* -D by specification finds the rule where it is now */
        command_line(&ctx, "-D INPUT -p tcp --dport 23 -j ACCEPT", &cmd);
        ck_assert_int_eq(command_resolve(t, &cmd, &diags, &plan), 0);
        ck_assert_uint_eq(plan.index, 2);
        command_deinit(&cmd);

        /* out of range: the message says how many there are */
        command_line(&ctx, "-R INPUT 4 -j ACCEPT", &cmd);
        ck_assert_int_eq(command_resolve(t, &cmd, &diags, &plan), -ENOENT);
        command_deinit(&cmd);

        /* a target of another table: refused, table unchanged */
        command_line(&ctx, "-A INPUT -p tcp -j DNAT --to-destination 10.0.0.1", &cmd);
        ck_assert_int_eq(command_resolve(t, &cmd, &diags, &plan), 0);
        ck_assert_int_eq(table_check_rule(t, plan.chain, plan.index, false, cmd.rule, &diags), -EINVAL);
        ck_assert_uint_eq(input->n_rules, 3);
        command_deinit(&cmd);

        /* a jump that closes a loop (u -> v -> u): refused, v left empty */
        command_line(&ctx, "-A v -j u", &cmd);
        ck_assert_int_eq(command_resolve(t, &cmd, &diags, &plan), 0);
        ck_assert_int_eq(table_check_rule(t, v, plan.index, false, cmd.rule, &diags), -EINVAL);
        ck_assert_uint_eq(v->n_rules, 0);
        command_deinit(&cmd);

        /* replacing in place, refused: the old rule is back */
        command_line(&ctx, "-R INPUT 1 -j DNAT --to-destination 10.0.0.1", &cmd);
        ck_assert_int_eq(command_resolve(t, &cmd, &diags, &plan), 0);
        ck_assert_int_eq(table_check_rule(t, input, plan.index, true, cmd.rule, &diags), -EINVAL);
        ck_assert_ptr_eq(input->rules[0]->target->ext, extension_by_target_type(TARGET_ACCEPT));
        command_deinit(&cmd);

        text = render_diags(&diags);
        ck_assert_str_eq(text,
                         "cmd:1:1: error: no rule 4 in chain INPUT: it has 3 rules\n"
                         "cmd:1:20: error: target DNAT cannot be used in table filter\n"
                         "cmd:1:9: error: jump from chain v to u makes a loop\n"
                         "cmd:1:15: error: target DNAT cannot be used in table filter\n");
        diag_list_deinit(&diags);
}
END_TEST

/* The core option table is searched with bsearch(): it must stay sorted. */
START_TEST(test_core_options_sorted) {
        ck_assert(core_options_sorted());
}
END_TEST

static Suite *parse_suite(void) {
        Suite *s = suite_create("ruleset-parse");
        TCase *tc;

        tc = tcase_create("tokenizer");
        tcase_add_loop_test(tc, test_tokenize, 0, N_ELEMENTS(token_cases));
        tcase_add_test(tc, test_tokenize_reuse);
        suite_add_tcase(s, tc);

        tc = tcase_create("rules");
        tcase_add_loop_test(tc, test_rule, 0, N_ELEMENTS(rule_cases));
        suite_add_tcase(s, tc);

        tc = tcase_create("files");
        tcase_add_loop_test(tc, test_file, 0, N_ELEMENTS(file_cases));
        tcase_add_test(tc, test_parser_lines);
        tcase_add_test(tc, test_parser_earlier_errors);
        tcase_add_test(tc, test_parser_no_ruleset);
        tcase_add_test(tc, test_parse_file);
        tcase_add_test(tc, test_parse_file_missing);
        suite_add_tcase(s, tc);

        tc = tcase_create("errors");
        tcase_add_loop_test(tc, test_error, 0, N_ELEMENTS(error_cases));
        tcase_add_loop_test(tc, test_error_code, 0, N_ELEMENTS(code_cases));
        suite_add_tcase(s, tc);

        tc = tcase_create("commands");
        tcase_add_loop_test(tc, test_command, 0, N_ELEMENTS(command_cases));
        tcase_add_test(tc, test_command_apply);
        tcase_add_test(tc, test_command_resolve);
        tcase_add_test(tc, test_core_options_sorted);
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(parse_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
