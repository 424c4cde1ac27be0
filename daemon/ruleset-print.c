/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ruleset-print: model → text, in the three forms iptables users know.
 * The core fields are printed here in iptables' order (-s -d -i -o -p -f,
 * matches, target); every match and target prints its own options through
 * its extension's save or list callback.
 */

#include <string.h>

#include "ruleset-ext.h"
#include "ruleset-names.h"
#include "ruleset-print.h"

static bool addr_is_zero(const Addr *a) {
        static const Addr zero;
        return memcmp(a, &zero, sizeof(zero)) == 0;
}

static void print_addr_option(const Rule *r, bool src, ExtPrint *p) {
        const AddrMask *am = src ? &r->src : &r->dst;
        bool invert = r->flags & (src ? RULE_INV_SRC : RULE_INV_DST);

        if (!(r->flags & (src ? RULE_HAS_SRC : RULE_HAS_DST)))
                return;
        strbuf_puts(p->buf, invert ? " ! -" : " -");
        strbuf_putc(p->buf, src ? 's' : 'd');
        strbuf_putc(p->buf, ' ');
        ext_print_addr_mask(p, am);
}

static void print_iface_option(const Rule *r, bool in, StrBuf *out) {
        const char *name = in ? r->iniface : r->outiface;

        if (!name[0])
                return;
        strbuf_puts(out, (r->flags & (in ? RULE_INV_IN : RULE_INV_OUT)) ? " ! -" : " -");
        strbuf_putc(out, in ? 'i' : 'o');
        strbuf_putc(out, ' ');
        strbuf_put_word(out, name);
}

static const char *target_label(const Target *t, bool list) {
        if (!t)
                return "";
        if (t->ext->type == TARGET_JUMP || t->ext->type == TARGET_GOTO)
                return ((const TargetChain *)target_data(t))->chain;
        if (list && t->ext->list_name)
                return t->ext->list_name;
        return t->ext->name;
}

static void print_counters_c(const Counters *c, StrBuf *out);

/* iptables -S -v puts "-c PACKETS BYTES" between the matches and the target. */
static void print_spec(const Rule *r, Family family, const Counters *counters, StrBuf *out) {
        ExtPrint p = { .buf = out, .family = family };

        print_addr_option(r, true, &p);
        print_addr_option(r, false, &p);
        print_iface_option(r, true, out);
        print_iface_option(r, false, out);
        if (r->flags & RULE_HAS_PROTO) {
                const char *name = protocol_to_name(r->proto);
                strbuf_puts(out, (r->flags & RULE_INV_PROTO) ? " ! -p " : " -p ");
                if (name)
                        strbuf_puts(out, name);
                else
                        strbuf_put_u64(out, r->proto);
        }
        if (r->flags & RULE_FRAGMENT)
                strbuf_puts(out, (r->flags & RULE_INV_FRAGMENT) ? " ! -f" : " -f");

        for (const Match *m = r->matches; m; m = m->next) {
                strbuf_puts(out, " -m ");
                strbuf_puts(out, m->ext->name);
                if (m->ext->save)
                        m->ext->save(match_data(m), &p);
        }
        if (counters)
                print_counters_c(counters, out);
        if (r->target) {
                strbuf_puts(out, r->target->ext->type == TARGET_GOTO ? " -g " : " -j ");
                strbuf_puts(out, target_label(r->target, false));
                if (r->target->ext->save)
                        r->target->ext->save(target_data(r->target), &p);
        }
}

void rule_print_spec(const Rule *r, Family family, StrBuf *out) {
        print_spec(r, family, NULL, out);
}

/*
 * A kernel rule nfwall did not write stays visible, as a comment line that
 * iptables-restore skips: never as an iptables rule it is not.
 */
static void print_foreign(const Chain *c, const Rule *r, StrBuf *out) {
        strbuf_puts(out, "# not written by nfwall, in chain ");
        strbuf_puts(out, c->name);
        strbuf_puts(out, " (handle ");
        strbuf_put_u64(out, r->handle);
        strbuf_puts(out, "): ");
        for (const char *p = r->foreign; *p; p++)
                strbuf_putc(out, *p == '\n' ? ' ' : *p);
        strbuf_putc(out, '\n');
}

static void print_counters_bracket(const Counters *c, StrBuf *out) {
        strbuf_putc(out, '[');
        strbuf_put_u64(out, c->packets);
        strbuf_putc(out, ':');
        strbuf_put_u64(out, c->bytes);
        strbuf_putc(out, ']');
}

void table_print_save(const Table *t, unsigned flags, StrBuf *out) {
        strbuf_putc(out, '*');
        strbuf_puts(out, table_type_to_string(t->type));
        strbuf_putc(out, '\n');
        for (size_t i = 0; i < t->n_chains; i++) {
                const Chain *c = t->chains[i];
                strbuf_putc(out, ':');
                strbuf_puts(out, c->name);
                strbuf_puts(out, c->builtin ? (c->policy == POLICY_DROP ? " DROP " : " ACCEPT ") : " - ");
                print_counters_bracket(&c->counters, out);
                strbuf_putc(out, '\n');
        }
        for (size_t i = 0; i < t->n_chains; i++) {
                const Chain *c = t->chains[i];
                for (size_t k = 0; k < c->n_rules; k++) {
                        if (flags & PRINT_COUNTERS) {
                                print_counters_bracket(&c->rules[k]->counters, out);
                                strbuf_putc(out, ' ');
                        }
                        if (c->rules[k]->foreign) {
                                print_foreign(c, c->rules[k], out);
                                continue;
                        }
                        strbuf_puts(out, "-A ");
                        strbuf_puts(out, c->name);
                        rule_print_spec(c->rules[k], t->family, out);
                        strbuf_putc(out, '\n');
                }
        }
        strbuf_puts(out, "COMMIT\n");
}

void ruleset_print_save(const Ruleset *rs, Family family, unsigned flags, StrBuf *out) {
        for (TableType t = 0; t < _TABLE_TYPE_MAX; t++)
                if (rs->tables[family][t])
                        table_print_save(rs->tables[family][t], flags, out);
}

static void print_counters_c(const Counters *c, StrBuf *out) {
        strbuf_puts(out, " -c ");
        strbuf_put_u64(out, c->packets);
        strbuf_putc(out, ' ');
        strbuf_put_u64(out, c->bytes);
}

static void print_chain_rules_s(const Table *t, const Chain *c, size_t rulenum, unsigned flags, StrBuf *out) {
        for (size_t k = 0; k < c->n_rules; k++) {
                if (rulenum && k + 1 != rulenum)
                        continue;
                if (c->rules[k]->foreign) {
                        print_foreign(c, c->rules[k], out);
                        continue;
                }
                strbuf_puts(out, "-A ");
                strbuf_puts(out, c->name);
                print_spec(c->rules[k], t->family, (flags & PRINT_COUNTERS) ? &c->rules[k]->counters : NULL, out);
                strbuf_putc(out, '\n');
        }
}

static void print_chain_head_s(const Chain *c, unsigned flags, StrBuf *out) {
        if (c->builtin) {
                strbuf_puts(out, "-P ");
                strbuf_puts(out, c->name);
                strbuf_putc(out, ' ');
                strbuf_puts(out, policy_to_string(c->policy));
                if (flags & PRINT_COUNTERS)
                        print_counters_c(&c->counters, out);
        } else {
                strbuf_puts(out, "-N ");
                strbuf_puts(out, c->name);
        }
        strbuf_putc(out, '\n');
}

int table_print_rules(const Table *t, const char *chain, size_t rulenum, unsigned flags, StrBuf *out) {
        if (chain) {
                const Chain *c = table_find_chain(t, chain);
                if (!c)
                        return -ENOENT;
                if (rulenum > c->n_rules)
                        return -ERANGE;
                if (!rulenum)
                        print_chain_head_s(c, flags, out);
                print_chain_rules_s(t, c, rulenum, flags, out);
                return 0;
        }
        for (size_t i = 0; i < t->n_chains; i++)
                print_chain_head_s(t->chains[i], flags, out);
        for (size_t i = 0; i < t->n_chains; i++)
                print_chain_rules_s(t, t->chains[i], 0, flags, out);
        return 0;
}

/* xtables_print_num(): right-aligned, with K/M/G/T unless exact. */
static void print_num(uint64_t n, unsigned flags, bool table, StrBuf *out) {
        static const char units[] = "KMGT";
        size_t start = out->len;
        unsigned u = 0;

        if ((flags & PRINT_EXACT) || n <= 99999) {
                size_t width = (flags & PRINT_EXACT) ? 8 : 5;
                StrBuf tmp = STRBUF_INIT;
                strbuf_put_u64(&tmp, n);
                if (table)
                        for (size_t k = tmp.len; k < width; k++)
                                strbuf_putc(out, ' ');
                strbuf_puts(out, strbuf_str(&tmp));
                strbuf_deinit(&tmp);
                strbuf_putc(out, ' ');
                return;
        }
        n = (n + 500) / 1000;
        while (n > 9999 && u < 3) {
                n = (n + 500) / 1000;
                u++;
        }
        strbuf_put_u64(out, n);
        if (table) {
                /* right-align to 4 digits: shift what we wrote */
                size_t len = out->len - start;
                if (len < 4 && strbuf_reserve(out, 4 - len) == 0) {
                        memmove(out->data + start + (4 - len), out->data + start, len);
                        memset(out->data + start, ' ', 4 - len);
                        out->len += 4 - len;
                        out->data[out->len] = 0;
                }
        }
        strbuf_putc(out, units[u]);
        strbuf_putc(out, ' ');
}

static void print_padded(StrBuf *out, const char *s, size_t width, bool left) {
        size_t len = strlen(s);

        if (!left)
                for (size_t k = len; k < width; k++)
                        strbuf_putc(out, ' ');
        strbuf_puts(out, s);
        if (left)
                for (size_t k = len; k < width; k++)
                        strbuf_putc(out, ' ');
}

/* iptables' print_header(), column for column. */
static void print_list_header(unsigned flags, StrBuf *out) {
        if (flags & PRINT_LINE_NUMBERS)
                strbuf_puts(out, "num  ");
        if (flags & PRINT_VERBOSE)
                strbuf_puts(out, (flags & PRINT_EXACT) ? "    pkts      bytes " : " pkts bytes ");
        strbuf_puts(out, "target     prot opt");
        if (flags & PRINT_VERBOSE)
                strbuf_puts(out, " in     out    ");
        strbuf_puts(out, " source               destination         \n");
}

static void print_list_addr(const AddrMask *am, bool has, bool invert, Family family, unsigned flags, StrBuf *out) {
        ExtPrint p = { .buf = out, .family = family };
        size_t start;

        strbuf_putc(out, invert ? '!' : ' ');
        start = out->len;
        if ((!has || addr_is_zero(&am->mask)) && !(flags & PRINT_NUMERIC))
                strbuf_puts(out, "anywhere");
        else {
                unsigned full = family == FAMILY_IPV6 ? 128 : 32;
                AddrMask tmp = *am;
                StrBuf mask = STRBUF_INIT;
                ExtPrint mp = { .buf = &mask, .family = family };

                if (!has)
                        tmp = (AddrMask){};
                ext_print_addr(&p, &tmp.addr);
                ext_print_addr_mask(&mp, &tmp);
                /* ext_print_addr_mask gives "addr/len": keep the "/len" unless it is the full length. */
                const char *slash = strrchr(strbuf_str(&mask), '/');
                char fullbuf[8];
                snprintf(fullbuf, sizeof(fullbuf), "/%u", full);
                if (slash && !streq(slash, fullbuf))
                        strbuf_puts(out, slash);
                strbuf_deinit(&mask);
        }
        strbuf_pad(out, start, 19);
        strbuf_putc(out, ' ');
}

static void print_list_iface(const char *name, bool invert, unsigned flags, StrBuf *out, bool first) {
        char buf[IFNAMSIZ + 2];

        snprintf(buf, sizeof(buf), "%s%s", invert ? "!" : "", name[0] ? name : (flags & PRINT_NUMERIC) ? "*" : "any");
        if (first)
                strbuf_putc(out, ' ');
        print_padded(out, buf, 6, true);
        strbuf_putc(out, ' ');
}

static void print_list_rule(const Table *t, const Rule *r, size_t num, unsigned flags, StrBuf *out) {
        ExtPrint p = { .buf = out, .family = t->family, .numeric = flags & PRINT_NUMERIC };
        char numbuf[24];

        if (r->foreign) {
                strbuf_puts(out, "(not written by nfwall) ");
                strbuf_puts(out, r->foreign);
                strbuf_putc(out, '\n');
                return;
        }

        if (flags & PRINT_LINE_NUMBERS) {
                snprintf(numbuf, sizeof(numbuf), "%zu", num);
                print_padded(out, numbuf, 4, true);
                strbuf_putc(out, ' ');
        }
        if (flags & PRINT_VERBOSE) {
                print_num(r->counters.packets, flags, true, out);
                print_num(r->counters.bytes, flags, true, out);
        }
        print_padded(out, target_label(r->target, true), 9, true);
        strbuf_putc(out, ' ');

        strbuf_putc(out, (r->flags & RULE_INV_PROTO) ? '!' : ' ');
        {
                uint8_t proto = (r->flags & RULE_HAS_PROTO) ? r->proto : 0;
                const char *name = (flags & PRINT_NUMERIC) ? NULL : protocol_to_name(proto);
                size_t start = out->len;
                /* print_rule_details(): names "%-4s ", numbers "%-5hu" */
                if (name) {
                        strbuf_puts(out, name);
                        strbuf_pad(out, start, 4);
                        strbuf_putc(out, ' ');
                } else {
                        strbuf_put_u64(out, proto);
                        strbuf_pad(out, start, 5);
                }
        }
        /* IPv6 has no -f: iptables-nft shows "--" there too. */
        strbuf_putc(out, (r->flags & RULE_INV_FRAGMENT) ? '!' : '-');
        strbuf_putc(out, (r->flags & RULE_FRAGMENT) ? 'f' : '-');
        strbuf_putc(out, ' ');
        if (flags & PRINT_VERBOSE) {
                print_list_iface(r->iniface, r->flags & RULE_INV_IN, flags, out, true);
                print_list_iface(r->outiface, r->flags & RULE_INV_OUT, flags, out, false);
        }
        print_list_addr(&r->src, r->flags & RULE_HAS_SRC, r->flags & RULE_INV_SRC, t->family, flags, out);
        print_list_addr(&r->dst, r->flags & RULE_HAS_DST, r->flags & RULE_INV_DST, t->family, flags, out);
        if (r->target && r->target->ext->type == TARGET_GOTO)
                strbuf_puts(out, "[goto] ");
        for (const Match *m = r->matches; m; m = m->next)
                if (m->ext->list)
                        m->ext->list(match_data(m), &p);
        if (r->target && r->target->ext->list)
                r->target->ext->list(target_data(r->target), &p);
        strbuf_putc(out, '\n');
}

/* refs: the rules that jump or go to the chain (user chains only). */
static void print_list_chain(const Table *t, const Chain *c, size_t refs, unsigned flags, StrBuf *out) {
        strbuf_puts(out, "Chain ");
        strbuf_puts(out, c->name);
        if (c->builtin) {
                strbuf_puts(out, " (policy ");
                strbuf_puts(out, policy_to_string(c->policy));
                if (flags & PRINT_VERBOSE) {
                        strbuf_putc(out, ' ');
                        print_num(c->counters.packets, flags, false, out);
                        strbuf_puts(out, "packets, ");
                        print_num(c->counters.bytes, flags, false, out);
                        strbuf_puts(out, "bytes");
                }
                strbuf_puts(out, ")\n");
        } else {
                strbuf_puts(out, " (");
                strbuf_put_u64(out, refs);
                strbuf_puts(out, " references)\n");
        }
        print_list_header(flags, out);
        for (size_t k = 0; k < c->n_rules; k++)
                print_list_rule(t, c->rules[k], k + 1, flags, out);
}

/* iptables -L CHAIN N: the rule's line alone, without the chain's head. */
int table_print_list_rule(const Table *t, const char *chain, size_t rulenum, unsigned flags, StrBuf *out) {
        const Chain *c = table_find_chain(t, chain);

        if (!c)
                return -ENOENT;
        if (rulenum == 0 || rulenum > c->n_rules)
                return -ERANGE;
        print_list_rule(t, c->rules[rulenum - 1], rulenum, flags, out);
        return 0;
}

int table_print_list(const Table *t, const char *chain, unsigned flags, StrBuf *out) {
        _cleanup_free_ size_t *refs = NULL;

        if (chain) {
                const Chain *c = table_find_chain(t, chain);
                if (!c)
                        return -ENOENT;
                print_list_chain(t, c, c->builtin ? 0 : table_count_references(t, c->name), flags, out);
                return 0;
        }

        /* every chain's references in one walk, not one walk per user chain */
        refs = calloc(t->n_chains ? t->n_chains : 1, sizeof(size_t));
        if (!refs)
                return -ENOMEM;
        for (size_t i = 0; i < t->n_chains; i++)
                for (size_t k = 0; k < t->chains[i]->n_rules; k++) {
                        const Target *tg = t->chains[i]->rules[k]->target;
                        ssize_t j;

                        if (!tg || (tg->ext->type != TARGET_JUMP && tg->ext->type != TARGET_GOTO))
                                continue;
                        j = table_find_chain_index(t, ((const TargetChain *)target_data(tg))->chain);
                        if (j >= 0)
                                refs[j]++;
                }
        for (size_t i = 0; i < t->n_chains; i++) {
                if (i > 0)
                        strbuf_putc(out, '\n');
                print_list_chain(t, t->chains[i], refs[i], flags, out);
        }
        return 0;
}
