/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-ruleset-print: the one printer. iptables -S (policies, new chains,
 * rules; one chain; one rule; "-c p b" counters), iptables -L in all its
 * column layouts (numeric, verbose, exact, line numbers; K/M/G/T
 * counters), and the iptables-save form with and without counters. The
 * expected texts of print_cases and save_cases are what iptables-nft
 * 1.8.9 printed for the same fixtures (loaded with iptables-nft-restore -c
 * in a throwaway network namespace); the counter formats agree with its
 * output too. Last, print(parse(print(x))) == print(x).
 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ruleset-parse.h"
#include "ruleset-print.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixtures: rules files with counters ---- */

static const char rich_v4[] =
        "*filter\n"
        ":INPUT DROP [123456789:98765432109]\n"
        ":FORWARD ACCEPT [99999:100000]\n"
        ":OUTPUT ACCEPT [0:0]\n"
        ":LOGDROP - [0:0]\n"
        ":empty - [0:0]\n"
        "[5:300] -A INPUT -i lo -j ACCEPT\n"
        "[1000:1000000] -A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\n"
        "[123456:7777777] -A INPUT ! -s 192.168.1.0/24 -d 1.2.3.4/32 -p udp -m udp --sport 53 -j ACCEPT\n"
        "[99999:99999] -A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT\n"
        "[100000:100000] -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
        "[0:0] -A INPUT -p tcp -m multiport --dports 80,443 -m comment --comment \"web ports\" -j ACCEPT\n"
        "[0:0] -A INPUT -f -j DROP\n"
        "[0:0] -A INPUT -p 47 -j ACCEPT\n"
        "[0:0] -A INPUT -j LOGDROP\n"
        "[0:0] -A FORWARD -i eth0 -o eth1 -j ACCEPT\n"
        "[0:0] -A FORWARD ! -i eth0 ! -o eth1 -p tcp -g LOGDROP\n"
        "[0:0] -A OUTPUT -d 1.0.3.0/255.0.255.0 -j REJECT --reject-with icmp-port-unreachable\n"
        "[0:0] -A OUTPUT -j REJECT --reject-with tcp-reset -p tcp\n"
        "[0:0] -A LOGDROP -m limit --limit 5/min -j LOG --log-prefix \"dropped: \"\n"
        "[0:0] -A LOGDROP -j DROP\n"
        "COMMIT\n";

static const char big_counters_v4[] =
        "*filter\n"
        ":INPUT ACCEPT [18446744073709551615:12345678901234]\n"
        ":FORWARD DROP [9999999:9999499]\n"
        ":OUTPUT ACCEPT [100499:100500]\n"
        "[99999:100000] -A INPUT -j ACCEPT\n"
        "[123456789:9999999999] -A INPUT -j DROP\n"
        "[12345678901234:18446744073709551615] -A INPUT\n"
        "[9999500:9999499999] -A INPUT -p udp\n"
        "[999999:1000000] -A FORWARD -p tcp\n"
        "COMMIT\n";

static const char no_target_v4[] =
        "*filter\n"
        ":INPUT ACCEPT [18446744073709551615:12345678901234]\n"
        ":FORWARD DROP [9999999:9999499]\n"
        ":OUTPUT ACCEPT [100499:100500]\n"
        "[12345678901234:18446744073709551615] -A INPUT\n"
        "[9999500:9999499999] -A INPUT -p udp\n"
        "[999999:1000000] -A FORWARD -p tcp\n"
        "COMMIT\n";

static const char tables_v4[] =
        "*nat\n"
        ":PREROUTING ACCEPT [0:0]\n"
        ":INPUT ACCEPT [0:0]\n"
        ":OUTPUT ACCEPT [0:0]\n"
        ":POSTROUTING ACCEPT [0:0]\n"
        "-A PREROUTING -i eth0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080\n"
        "-A PREROUTING -p udp -j REDIRECT --to-ports 5353\n"
        "-A POSTROUTING -o eth0 -j MASQUERADE\n"
        "-A POSTROUTING -s 10.0.0.0/8 -j SNAT --to-source 1.2.3.4\n"
        "COMMIT\n"
        "*mangle\n"
        "-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff\n"
        "-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu\n"
        "-A OUTPUT -m mark --mark 0x2/0xff -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff\n"
        "COMMIT\n"
        "*raw\n"
        "-A PREROUTING -p udp -m udp --dport 53 -j NOTRACK\n"
        "-A OUTPUT -j CT --zone 5\n"
        "COMMIT\n";

static const char odd_v4[] =
        "*filter\n"
        ":INPUT ACCEPT [0:0]\n"
        ":FORWARD ACCEPT [0:0]\n"
        ":OUTPUT ACCEPT [0:0]\n"
        ":a-very-long-chain-name-28ch - [0:0]\n"
        "-A INPUT -i abcdefghijklmno -j ACCEPT\n"
        "-A FORWARD ! -i abcdefghijklmno ! -o eth+ -j a-very-long-chain-name-28ch\n"
        "-A INPUT ! -i + -p udp\n"
        "-A INPUT ! -f -p tcp\n"
        "-A INPUT -s 192.168.100.100/255.255.0.255 -d 10.0.0.0/8\n"
        "-A INPUT ! -p tcp -s 1.2.3.4\n"
        "-A INPUT -p 255\n"
        "-A INPUT -p 200 -j DROP\n"
        "-A OUTPUT -o lo -g a-very-long-chain-name-28ch\n"
        "-A OUTPUT -p sctp\n"
        "-A a-very-long-chain-name-28ch -m comment --comment \"x y\"\n"
        "COMMIT\n";

static const char rich_v6[] =
        "*filter\n"
        ":INPUT ACCEPT [1:2]\n"
        ":FORWARD DROP [0:0]\n"
        ":OUTPUT ACCEPT [0:0]\n"
        ":u - [0:0]\n"
        "[0:0] -A INPUT -s 2001:db8::/32 -d ::1/128 -p tcp -m tcp --dport 22 -j ACCEPT\n"
        "[0:0] -A INPUT -s 2001:db8:1234:5678:9abc:def0:1234:5678/128 -j u\n"
        "[0:0] -A INPUT -d fe80::/ffff:0:ffff:: -j DROP\n"
        "[0:0] -A FORWARD -i eth0 -j u\n"
        "[0:0] -A u -j RETURN\n"
        "COMMIT\n";

/* ---- iptables -S and -L ---- */

static const struct {
        const char *input;
        Family family;
        TableType table;
        char mode;              /* 'L' or 'S' */
        const char *chain;
        size_t rulenum;
        unsigned flags;
        const char *expected;   /* iptables-nft 1.8.9's output for the same rules */
} print_cases[] = {
        /* iptables -t filter -L */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, 0,
          "Chain INPUT (policy DROP)\n"
          "target     prot opt source               destination         \n"
          "ACCEPT     all  --  anywhere             anywhere            \n"
          "ACCEPT     tcp  --  10.0.0.0/8           anywhere             tcp dpt:ssh\n"
          "ACCEPT     udp  -- !192.168.1.0/24       1.2.3.4              udp spt:domain\n"
          "ACCEPT     icmp --  anywhere             anywhere             icmp echo-request\n"
          "ACCEPT     all  --  anywhere             anywhere             state RELATED,ESTABLISHED\n"
          "ACCEPT     tcp  --  anywhere             anywhere             multiport dports http,https /* web ports */\n"
          "DROP       all  -f  anywhere             anywhere            \n"
          "ACCEPT     gre  --  anywhere             anywhere            \n"
          "LOGDROP    all  --  anywhere             anywhere            \n"
          "\n"
          "Chain FORWARD (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "ACCEPT     all  --  anywhere             anywhere            \n"
          "LOGDROP    tcp  --  anywhere             anywhere            [goto] \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "REJECT     all  --  anywhere             1.0.3.0/255.0.255.0  reject-with icmp-port-unreachable\n"
          "REJECT     tcp  --  anywhere             anywhere             reject-with tcp-reset\n"
          "\n"
          "Chain LOGDROP (2 references)\n"
          "target     prot opt source               destination         \n"
          "LOG        all  --  anywhere             anywhere             limit: avg 5/min burst 5 LOG level warn prefix \"dropped: \"\n"
          "DROP       all  --  anywhere             anywhere            \n"
          "\n"
          "Chain empty (0 references)\n"
          "target     prot opt source               destination         \n" },
        /* iptables -t filter -L -n */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_NUMERIC,
          "Chain INPUT (policy DROP)\n"
          "target     prot opt source               destination         \n"
          "ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0           \n"
          "ACCEPT     6    --  10.0.0.0/8           0.0.0.0/0            tcp dpt:22\n"
          "ACCEPT     17   -- !192.168.1.0/24       1.2.3.4              udp spt:53\n"
          "ACCEPT     1    --  0.0.0.0/0            0.0.0.0/0            icmptype 8\n"
          "ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0            state RELATED,ESTABLISHED\n"
          "ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            multiport dports 80,443 /* web ports */\n"
          "DROP       0    -f  0.0.0.0/0            0.0.0.0/0           \n"
          "ACCEPT     47   --  0.0.0.0/0            0.0.0.0/0           \n"
          "LOGDROP    0    --  0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain FORWARD (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0           \n"
          "LOGDROP    6    --  0.0.0.0/0            0.0.0.0/0           [goto] \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "REJECT     0    --  0.0.0.0/0            1.0.3.0/255.0.255.0  reject-with icmp-port-unreachable\n"
          "REJECT     6    --  0.0.0.0/0            0.0.0.0/0            reject-with tcp-reset\n"
          "\n"
          "Chain LOGDROP (2 references)\n"
          "target     prot opt source               destination         \n"
          "LOG        0    --  0.0.0.0/0            0.0.0.0/0            limit: avg 5/min burst 5 LOG flags 0 level 4 prefix \"dropped: \"\n"
          "DROP       0    --  0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain empty (0 references)\n"
          "target     prot opt source               destination         \n" },
        /* iptables -t filter -L -v */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_VERBOSE,
          "Chain INPUT (policy DROP 123M packets, 99G bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    5   300 ACCEPT     all  --  lo     any     anywhere             anywhere            \n"
          " 1000 1000K ACCEPT     tcp  --  any    any     10.0.0.0/8           anywhere             tcp dpt:ssh\n"
          " 123K 7778K ACCEPT     udp  --  any    any    !192.168.1.0/24       1.2.3.4              udp spt:domain\n"
          "99999 99999 ACCEPT     icmp --  any    any     anywhere             anywhere             icmp echo-request\n"
          " 100K  100K ACCEPT     all  --  any    any     anywhere             anywhere             state RELATED,ESTABLISHED\n"
          "    0     0 ACCEPT     tcp  --  any    any     anywhere             anywhere             multiport dports http,https /* web ports */\n"
          "    0     0 DROP       all  -f  any    any     anywhere             anywhere            \n"
          "    0     0 ACCEPT     gre  --  any    any     anywhere             anywhere            \n"
          "    0     0 LOGDROP    all  --  any    any     anywhere             anywhere            \n"
          "\n"
          "Chain FORWARD (policy ACCEPT 99999 packets, 100K bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 ACCEPT     all  --  eth0   eth1    anywhere             anywhere            \n"
          "    0     0 LOGDROP    tcp  --  !eth0  !eth1   anywhere             anywhere            [goto] \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 REJECT     all  --  any    any     anywhere             1.0.3.0/255.0.255.0  reject-with icmp-port-unreachable\n"
          "    0     0 REJECT     tcp  --  any    any     anywhere             anywhere             reject-with tcp-reset\n"
          "\n"
          "Chain LOGDROP (2 references)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 LOG        all  --  any    any     anywhere             anywhere             limit: avg 5/min burst 5 LOG level warn prefix \"dropped: \"\n"
          "    0     0 DROP       all  --  any    any     anywhere             anywhere            \n"
          "\n"
          "Chain empty (0 references)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n" },
        /* iptables -t filter -L -n -v */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_NUMERIC | PRINT_VERBOSE,
          "Chain INPUT (policy DROP 123M packets, 99G bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    5   300 ACCEPT     0    --  lo     *       0.0.0.0/0            0.0.0.0/0           \n"
          " 1000 1000K ACCEPT     6    --  *      *       10.0.0.0/8           0.0.0.0/0            tcp dpt:22\n"
          " 123K 7778K ACCEPT     17   --  *      *      !192.168.1.0/24       1.2.3.4              udp spt:53\n"
          "99999 99999 ACCEPT     1    --  *      *       0.0.0.0/0            0.0.0.0/0            icmptype 8\n"
          " 100K  100K ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0            state RELATED,ESTABLISHED\n"
          "    0     0 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            multiport dports 80,443 /* web ports */\n"
          "    0     0 DROP       0    -f  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "    0     0 ACCEPT     47   --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "    0     0 LOGDROP    0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain FORWARD (policy ACCEPT 99999 packets, 100K bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 ACCEPT     0    --  eth0   eth1    0.0.0.0/0            0.0.0.0/0           \n"
          "    0     0 LOGDROP    6    --  !eth0  !eth1   0.0.0.0/0            0.0.0.0/0           [goto] \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 REJECT     0    --  *      *       0.0.0.0/0            1.0.3.0/255.0.255.0  reject-with icmp-port-unreachable\n"
          "    0     0 REJECT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            reject-with tcp-reset\n"
          "\n"
          "Chain LOGDROP (2 references)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 LOG        0    --  *      *       0.0.0.0/0            0.0.0.0/0            limit: avg 5/min burst 5 LOG flags 0 level 4 prefix \"dropped: \"\n"
          "    0     0 DROP       0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain empty (0 references)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n" },
        /* iptables -t filter -L -n -v -x */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_NUMERIC | PRINT_VERBOSE | PRINT_EXACT,
          "Chain INPUT (policy DROP 123456789 packets, 98765432109 bytes)\n"
          "    pkts      bytes target     prot opt in     out     source               destination         \n"
          "       5      300 ACCEPT     0    --  lo     *       0.0.0.0/0            0.0.0.0/0           \n"
          "    1000  1000000 ACCEPT     6    --  *      *       10.0.0.0/8           0.0.0.0/0            tcp dpt:22\n"
          "  123456  7777777 ACCEPT     17   --  *      *      !192.168.1.0/24       1.2.3.4              udp spt:53\n"
          "   99999    99999 ACCEPT     1    --  *      *       0.0.0.0/0            0.0.0.0/0            icmptype 8\n"
          "  100000   100000 ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0            state RELATED,ESTABLISHED\n"
          "       0        0 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            multiport dports 80,443 /* web ports */\n"
          "       0        0 DROP       0    -f  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "       0        0 ACCEPT     47   --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "       0        0 LOGDROP    0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain FORWARD (policy ACCEPT 99999 packets, 100000 bytes)\n"
          "    pkts      bytes target     prot opt in     out     source               destination         \n"
          "       0        0 ACCEPT     0    --  eth0   eth1    0.0.0.0/0            0.0.0.0/0           \n"
          "       0        0 LOGDROP    6    --  !eth0  !eth1   0.0.0.0/0            0.0.0.0/0           [goto] \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          "    pkts      bytes target     prot opt in     out     source               destination         \n"
          "       0        0 REJECT     0    --  *      *       0.0.0.0/0            1.0.3.0/255.0.255.0  reject-with icmp-port-unreachable\n"
          "       0        0 REJECT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            reject-with tcp-reset\n"
          "\n"
          "Chain LOGDROP (2 references)\n"
          "    pkts      bytes target     prot opt in     out     source               destination         \n"
          "       0        0 LOG        0    --  *      *       0.0.0.0/0            0.0.0.0/0            limit: avg 5/min burst 5 LOG flags 0 level 4 prefix \"dropped: \"\n"
          "       0        0 DROP       0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain empty (0 references)\n"
          "    pkts      bytes target     prot opt in     out     source               destination         \n" },
        /* iptables -t filter -L -v -x */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_VERBOSE | PRINT_EXACT,
          "Chain INPUT (policy DROP 123456789 packets, 98765432109 bytes)\n"
          "    pkts      bytes target     prot opt in     out     source               destination         \n"
          "       5      300 ACCEPT     all  --  lo     any     anywhere             anywhere            \n"
          "    1000  1000000 ACCEPT     tcp  --  any    any     10.0.0.0/8           anywhere             tcp dpt:ssh\n"
          "  123456  7777777 ACCEPT     udp  --  any    any    !192.168.1.0/24       1.2.3.4              udp spt:domain\n"
          "   99999    99999 ACCEPT     icmp --  any    any     anywhere             anywhere             icmp echo-request\n"
          "  100000   100000 ACCEPT     all  --  any    any     anywhere             anywhere             state RELATED,ESTABLISHED\n"
          "       0        0 ACCEPT     tcp  --  any    any     anywhere             anywhere             multiport dports http,https /* web ports */\n"
          "       0        0 DROP       all  -f  any    any     anywhere             anywhere            \n"
          "       0        0 ACCEPT     gre  --  any    any     anywhere             anywhere            \n"
          "       0        0 LOGDROP    all  --  any    any     anywhere             anywhere            \n"
          "\n"
          "Chain FORWARD (policy ACCEPT 99999 packets, 100000 bytes)\n"
          "    pkts      bytes target     prot opt in     out     source               destination         \n"
          "       0        0 ACCEPT     all  --  eth0   eth1    anywhere             anywhere            \n"
          "       0        0 LOGDROP    tcp  --  !eth0  !eth1   anywhere             anywhere            [goto] \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          "    pkts      bytes target     prot opt in     out     source               destination         \n"
          "       0        0 REJECT     all  --  any    any     anywhere             1.0.3.0/255.0.255.0  reject-with icmp-port-unreachable\n"
          "       0        0 REJECT     tcp  --  any    any     anywhere             anywhere             reject-with tcp-reset\n"
          "\n"
          "Chain LOGDROP (2 references)\n"
          "    pkts      bytes target     prot opt in     out     source               destination         \n"
          "       0        0 LOG        all  --  any    any     anywhere             anywhere             limit: avg 5/min burst 5 LOG level warn prefix \"dropped: \"\n"
          "       0        0 DROP       all  --  any    any     anywhere             anywhere            \n"
          "\n"
          "Chain empty (0 references)\n"
          "    pkts      bytes target     prot opt in     out     source               destination         \n" },
        /* iptables -t filter -L -x */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_EXACT,
          "Chain INPUT (policy DROP)\n"
          "target     prot opt source               destination         \n"
          "ACCEPT     all  --  anywhere             anywhere            \n"
          "ACCEPT     tcp  --  10.0.0.0/8           anywhere             tcp dpt:ssh\n"
          "ACCEPT     udp  -- !192.168.1.0/24       1.2.3.4              udp spt:domain\n"
          "ACCEPT     icmp --  anywhere             anywhere             icmp echo-request\n"
          "ACCEPT     all  --  anywhere             anywhere             state RELATED,ESTABLISHED\n"
          "ACCEPT     tcp  --  anywhere             anywhere             multiport dports http,https /* web ports */\n"
          "DROP       all  -f  anywhere             anywhere            \n"
          "ACCEPT     gre  --  anywhere             anywhere            \n"
          "LOGDROP    all  --  anywhere             anywhere            \n"
          "\n"
          "Chain FORWARD (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "ACCEPT     all  --  anywhere             anywhere            \n"
          "LOGDROP    tcp  --  anywhere             anywhere            [goto] \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "REJECT     all  --  anywhere             1.0.3.0/255.0.255.0  reject-with icmp-port-unreachable\n"
          "REJECT     tcp  --  anywhere             anywhere             reject-with tcp-reset\n"
          "\n"
          "Chain LOGDROP (2 references)\n"
          "target     prot opt source               destination         \n"
          "LOG        all  --  anywhere             anywhere             limit: avg 5/min burst 5 LOG level warn prefix \"dropped: \"\n"
          "DROP       all  --  anywhere             anywhere            \n"
          "\n"
          "Chain empty (0 references)\n"
          "target     prot opt source               destination         \n" },
        /* iptables -t filter -L --line-numbers */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_LINE_NUMBERS,
          "Chain INPUT (policy DROP)\n"
          "num  target     prot opt source               destination         \n"
          "1    ACCEPT     all  --  anywhere             anywhere            \n"
          "2    ACCEPT     tcp  --  10.0.0.0/8           anywhere             tcp dpt:ssh\n"
          "3    ACCEPT     udp  -- !192.168.1.0/24       1.2.3.4              udp spt:domain\n"
          "4    ACCEPT     icmp --  anywhere             anywhere             icmp echo-request\n"
          "5    ACCEPT     all  --  anywhere             anywhere             state RELATED,ESTABLISHED\n"
          "6    ACCEPT     tcp  --  anywhere             anywhere             multiport dports http,https /* web ports */\n"
          "7    DROP       all  -f  anywhere             anywhere            \n"
          "8    ACCEPT     gre  --  anywhere             anywhere            \n"
          "9    LOGDROP    all  --  anywhere             anywhere            \n"
          "\n"
          "Chain FORWARD (policy ACCEPT)\n"
          "num  target     prot opt source               destination         \n"
          "1    ACCEPT     all  --  anywhere             anywhere            \n"
          "2    LOGDROP    tcp  --  anywhere             anywhere            [goto] \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT)\n"
          "num  target     prot opt source               destination         \n"
          "1    REJECT     all  --  anywhere             1.0.3.0/255.0.255.0  reject-with icmp-port-unreachable\n"
          "2    REJECT     tcp  --  anywhere             anywhere             reject-with tcp-reset\n"
          "\n"
          "Chain LOGDROP (2 references)\n"
          "num  target     prot opt source               destination         \n"
          "1    LOG        all  --  anywhere             anywhere             limit: avg 5/min burst 5 LOG level warn prefix \"dropped: \"\n"
          "2    DROP       all  --  anywhere             anywhere            \n"
          "\n"
          "Chain empty (0 references)\n"
          "num  target     prot opt source               destination         \n" },
        /* iptables -t filter -L -n --line-numbers */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_NUMERIC | PRINT_LINE_NUMBERS,
          "Chain INPUT (policy DROP)\n"
          "num  target     prot opt source               destination         \n"
          "1    ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0           \n"
          "2    ACCEPT     6    --  10.0.0.0/8           0.0.0.0/0            tcp dpt:22\n"
          "3    ACCEPT     17   -- !192.168.1.0/24       1.2.3.4              udp spt:53\n"
          "4    ACCEPT     1    --  0.0.0.0/0            0.0.0.0/0            icmptype 8\n"
          "5    ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0            state RELATED,ESTABLISHED\n"
          "6    ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            multiport dports 80,443 /* web ports */\n"
          "7    DROP       0    -f  0.0.0.0/0            0.0.0.0/0           \n"
          "8    ACCEPT     47   --  0.0.0.0/0            0.0.0.0/0           \n"
          "9    LOGDROP    0    --  0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain FORWARD (policy ACCEPT)\n"
          "num  target     prot opt source               destination         \n"
          "1    ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0           \n"
          "2    LOGDROP    6    --  0.0.0.0/0            0.0.0.0/0           [goto] \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT)\n"
          "num  target     prot opt source               destination         \n"
          "1    REJECT     0    --  0.0.0.0/0            1.0.3.0/255.0.255.0  reject-with icmp-port-unreachable\n"
          "2    REJECT     6    --  0.0.0.0/0            0.0.0.0/0            reject-with tcp-reset\n"
          "\n"
          "Chain LOGDROP (2 references)\n"
          "num  target     prot opt source               destination         \n"
          "1    LOG        0    --  0.0.0.0/0            0.0.0.0/0            limit: avg 5/min burst 5 LOG flags 0 level 4 prefix \"dropped: \"\n"
          "2    DROP       0    --  0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain empty (0 references)\n"
          "num  target     prot opt source               destination         \n" },
        /* iptables -t filter -L -v --line-numbers */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_VERBOSE | PRINT_LINE_NUMBERS,
          "Chain INPUT (policy DROP 123M packets, 99G bytes)\n"
          "num   pkts bytes target     prot opt in     out     source               destination         \n"
          "1        5   300 ACCEPT     all  --  lo     any     anywhere             anywhere            \n"
          "2     1000 1000K ACCEPT     tcp  --  any    any     10.0.0.0/8           anywhere             tcp dpt:ssh\n"
          "3     123K 7778K ACCEPT     udp  --  any    any    !192.168.1.0/24       1.2.3.4              udp spt:domain\n"
          "4    99999 99999 ACCEPT     icmp --  any    any     anywhere             anywhere             icmp echo-request\n"
          "5     100K  100K ACCEPT     all  --  any    any     anywhere             anywhere             state RELATED,ESTABLISHED\n"
          "6        0     0 ACCEPT     tcp  --  any    any     anywhere             anywhere             multiport dports http,https /* web ports */\n"
          "7        0     0 DROP       all  -f  any    any     anywhere             anywhere            \n"
          "8        0     0 ACCEPT     gre  --  any    any     anywhere             anywhere            \n"
          "9        0     0 LOGDROP    all  --  any    any     anywhere             anywhere            \n"
          "\n"
          "Chain FORWARD (policy ACCEPT 99999 packets, 100K bytes)\n"
          "num   pkts bytes target     prot opt in     out     source               destination         \n"
          "1        0     0 ACCEPT     all  --  eth0   eth1    anywhere             anywhere            \n"
          "2        0     0 LOGDROP    tcp  --  !eth0  !eth1   anywhere             anywhere            [goto] \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          "num   pkts bytes target     prot opt in     out     source               destination         \n"
          "1        0     0 REJECT     all  --  any    any     anywhere             1.0.3.0/255.0.255.0  reject-with icmp-port-unreachable\n"
          "2        0     0 REJECT     tcp  --  any    any     anywhere             anywhere             reject-with tcp-reset\n"
          "\n"
          "Chain LOGDROP (2 references)\n"
          "num   pkts bytes target     prot opt in     out     source               destination         \n"
          "1        0     0 LOG        all  --  any    any     anywhere             anywhere             limit: avg 5/min burst 5 LOG level warn prefix \"dropped: \"\n"
          "2        0     0 DROP       all  --  any    any     anywhere             anywhere            \n"
          "\n"
          "Chain empty (0 references)\n"
          "num   pkts bytes target     prot opt in     out     source               destination         \n" },
        /* iptables -t filter -L -n -v -x --line-numbers */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_NUMERIC | PRINT_VERBOSE | PRINT_EXACT | PRINT_LINE_NUMBERS,
          "Chain INPUT (policy DROP 123456789 packets, 98765432109 bytes)\n"
          "num      pkts      bytes target     prot opt in     out     source               destination         \n"
          "1           5      300 ACCEPT     0    --  lo     *       0.0.0.0/0            0.0.0.0/0           \n"
          "2        1000  1000000 ACCEPT     6    --  *      *       10.0.0.0/8           0.0.0.0/0            tcp dpt:22\n"
          "3      123456  7777777 ACCEPT     17   --  *      *      !192.168.1.0/24       1.2.3.4              udp spt:53\n"
          "4       99999    99999 ACCEPT     1    --  *      *       0.0.0.0/0            0.0.0.0/0            icmptype 8\n"
          "5      100000   100000 ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0            state RELATED,ESTABLISHED\n"
          "6           0        0 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            multiport dports 80,443 /* web ports */\n"
          "7           0        0 DROP       0    -f  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "8           0        0 ACCEPT     47   --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "9           0        0 LOGDROP    0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain FORWARD (policy ACCEPT 99999 packets, 100000 bytes)\n"
          "num      pkts      bytes target     prot opt in     out     source               destination         \n"
          "1           0        0 ACCEPT     0    --  eth0   eth1    0.0.0.0/0            0.0.0.0/0           \n"
          "2           0        0 LOGDROP    6    --  !eth0  !eth1   0.0.0.0/0            0.0.0.0/0           [goto] \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          "num      pkts      bytes target     prot opt in     out     source               destination         \n"
          "1           0        0 REJECT     0    --  *      *       0.0.0.0/0            1.0.3.0/255.0.255.0  reject-with icmp-port-unreachable\n"
          "2           0        0 REJECT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            reject-with tcp-reset\n"
          "\n"
          "Chain LOGDROP (2 references)\n"
          "num      pkts      bytes target     prot opt in     out     source               destination         \n"
          "1           0        0 LOG        0    --  *      *       0.0.0.0/0            0.0.0.0/0            limit: avg 5/min burst 5 LOG flags 0 level 4 prefix \"dropped: \"\n"
          "2           0        0 DROP       0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain empty (0 references)\n"
          "num      pkts      bytes target     prot opt in     out     source               destination         \n" },
        /* iptables -t filter -L INPUT -v */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'L', "INPUT", 0, PRINT_VERBOSE,
          "Chain INPUT (policy DROP 123M packets, 99G bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    5   300 ACCEPT     all  --  lo     any     anywhere             anywhere            \n"
          " 1000 1000K ACCEPT     tcp  --  any    any     10.0.0.0/8           anywhere             tcp dpt:ssh\n"
          " 123K 7778K ACCEPT     udp  --  any    any    !192.168.1.0/24       1.2.3.4              udp spt:domain\n"
          "99999 99999 ACCEPT     icmp --  any    any     anywhere             anywhere             icmp echo-request\n"
          " 100K  100K ACCEPT     all  --  any    any     anywhere             anywhere             state RELATED,ESTABLISHED\n"
          "    0     0 ACCEPT     tcp  --  any    any     anywhere             anywhere             multiport dports http,https /* web ports */\n"
          "    0     0 DROP       all  -f  any    any     anywhere             anywhere            \n"
          "    0     0 ACCEPT     gre  --  any    any     anywhere             anywhere            \n"
          "    0     0 LOGDROP    all  --  any    any     anywhere             anywhere            \n" },
        /* iptables -t filter -L LOGDROP */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'L', "LOGDROP", 0, 0,
          "Chain LOGDROP (2 references)\n"
          "target     prot opt source               destination         \n"
          "LOG        all  --  anywhere             anywhere             limit: avg 5/min burst 5 LOG level warn prefix \"dropped: \"\n"
          "DROP       all  --  anywhere             anywhere            \n" },
        /* iptables -t filter -L empty -n -v */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'L', "empty", 0, PRINT_NUMERIC | PRINT_VERBOSE,
          "Chain empty (0 references)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n" },
        /* iptables -t filter -S */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'S', NULL, 0, 0,
          "-P INPUT DROP\n"
          "-P FORWARD ACCEPT\n"
          "-P OUTPUT ACCEPT\n"
          "-N LOGDROP\n"
          "-N empty\n"
          "-A INPUT -i lo -j ACCEPT\n"
          "-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\n"
          "-A INPUT ! -s 192.168.1.0/24 -d 1.2.3.4/32 -p udp -m udp --sport 53 -j ACCEPT\n"
          "-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT\n"
          "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
          "-A INPUT -p tcp -m multiport --dports 80,443 -m comment --comment \"web ports\" -j ACCEPT\n"
          "-A INPUT -f -j DROP\n"
          "-A INPUT -p gre -j ACCEPT\n"
          "-A INPUT -j LOGDROP\n"
          "-A FORWARD -i eth0 -o eth1 -j ACCEPT\n"
          "-A FORWARD ! -i eth0 ! -o eth1 -p tcp -g LOGDROP\n"
          "-A OUTPUT -d 1.0.3.0/255.0.255.0 -j REJECT --reject-with icmp-port-unreachable\n"
          "-A OUTPUT -p tcp -j REJECT --reject-with tcp-reset\n"
          "-A LOGDROP -m limit --limit 5/min -j LOG --log-prefix \"dropped: \"\n"
          "-A LOGDROP -j DROP\n" },
        /* iptables -t filter -S INPUT */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'S', "INPUT", 0, 0,
          "-P INPUT DROP\n"
          "-A INPUT -i lo -j ACCEPT\n"
          "-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\n"
          "-A INPUT ! -s 192.168.1.0/24 -d 1.2.3.4/32 -p udp -m udp --sport 53 -j ACCEPT\n"
          "-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT\n"
          "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
          "-A INPUT -p tcp -m multiport --dports 80,443 -m comment --comment \"web ports\" -j ACCEPT\n"
          "-A INPUT -f -j DROP\n"
          "-A INPUT -p gre -j ACCEPT\n"
          "-A INPUT -j LOGDROP\n" },
        /* iptables -t filter -S LOGDROP */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'S', "LOGDROP", 0, 0,
          "-N LOGDROP\n"
          "-A LOGDROP -m limit --limit 5/min -j LOG --log-prefix \"dropped: \"\n"
          "-A LOGDROP -j DROP\n" },
        /* iptables -t filter -S INPUT 2 */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'S', "INPUT", 2, 0,
          "-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\n" },
        /* iptables -t filter -S LOGDROP 1 */
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 'S', "LOGDROP", 1, 0,
          "-A LOGDROP -m limit --limit 5/min -j LOG --log-prefix \"dropped: \"\n" },
        /* iptables -t filter -L -v */
        { big_counters_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_VERBOSE,
          "Chain INPUT (policy ACCEPT 0K packets, 12T bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "99999  100K ACCEPT     all  --  any    any     anywhere             anywhere            \n"
          " 123M   10G DROP       all  --  any    any     anywhere             anywhere            \n"
          "  12T    0K            all  --  any    any     anywhere             anywhere            \n"
          "  10M   10G            udp  --  any    any     anywhere             anywhere            \n"
          "\n"
          "Chain FORWARD (policy DROP 10M packets, 9999K bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "1000K 1000K            tcp  --  any    any     anywhere             anywhere            \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT 100K packets, 101K bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n" },
        /* iptables -t filter -L -v -x */
        { big_counters_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_VERBOSE | PRINT_EXACT,
          "Chain INPUT (policy ACCEPT 18446744073709551615 packets, 12345678901234 bytes)\n"
          "    pkts      bytes target     prot opt in     out     source               destination         \n"
          "   99999   100000 ACCEPT     all  --  any    any     anywhere             anywhere            \n"
          "123456789 9999999999 DROP       all  --  any    any     anywhere             anywhere            \n"
          "12345678901234 18446744073709551615            all  --  any    any     anywhere             anywhere            \n"
          " 9999500 9999499999            udp  --  any    any     anywhere             anywhere            \n"
          "\n"
          "Chain FORWARD (policy DROP 9999999 packets, 9999499 bytes)\n"
          "    pkts      bytes target     prot opt in     out     source               destination         \n"
          "  999999  1000000            tcp  --  any    any     anywhere             anywhere            \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT 100499 packets, 100500 bytes)\n"
          "    pkts      bytes target     prot opt in     out     source               destination         \n" },
        /* iptables -t filter -L -n -v --line-numbers */
        { big_counters_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_NUMERIC | PRINT_VERBOSE | PRINT_LINE_NUMBERS,
          "Chain INPUT (policy ACCEPT 0K packets, 12T bytes)\n"
          "num   pkts bytes target     prot opt in     out     source               destination         \n"
          "1    99999  100K ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "2     123M   10G DROP       0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "3      12T    0K            0    --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "4      10M   10G            17   --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain FORWARD (policy DROP 10M packets, 9999K bytes)\n"
          "num   pkts bytes target     prot opt in     out     source               destination         \n"
          "1    1000K 1000K            6    --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT 100K packets, 101K bytes)\n"
          "num   pkts bytes target     prot opt in     out     source               destination         \n" },
        /* iptables -t filter -L -x */
        { big_counters_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_EXACT,
          "Chain INPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "ACCEPT     all  --  anywhere             anywhere            \n"
          "DROP       all  --  anywhere             anywhere            \n"
          "           all  --  anywhere             anywhere            \n"
          "           udp  --  anywhere             anywhere            \n"
          "\n"
          "Chain FORWARD (policy DROP)\n"
          "target     prot opt source               destination         \n"
          "           tcp  --  anywhere             anywhere            \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n" },
        /* iptables -t filter -S -v */
        { no_target_v4, FAMILY_IPV4, TABLE_FILTER, 'S', NULL, 0, PRINT_COUNTERS,
          "-P INPUT ACCEPT -c 18446744073709551615 12345678901234\n"
          "-P FORWARD DROP -c 9999999 9999499\n"
          "-P OUTPUT ACCEPT -c 100499 100500\n"
          "-A INPUT -c 12345678901234 18446744073709551615\n"
          "-A INPUT -p udp -c 9999500 9999499999\n"
          "-A FORWARD -p tcp -c 999999 1000000\n" },
        /* iptables -t filter -S INPUT -v */
        { no_target_v4, FAMILY_IPV4, TABLE_FILTER, 'S', "INPUT", 0, PRINT_COUNTERS,
          "-P INPUT ACCEPT -c 18446744073709551615 12345678901234\n"
          "-A INPUT -c 12345678901234 18446744073709551615\n"
          "-A INPUT -p udp -c 9999500 9999499999\n" },
        /* iptables -t filter -S INPUT 2 -v */
        { no_target_v4, FAMILY_IPV4, TABLE_FILTER, 'S', "INPUT", 2, PRINT_COUNTERS,
          "-A INPUT -p udp -c 9999500 9999499999\n" },
        /* iptables -t filter -S */
        { no_target_v4, FAMILY_IPV4, TABLE_FILTER, 'S', NULL, 0, 0,
          "-P INPUT ACCEPT\n"
          "-P FORWARD DROP\n"
          "-P OUTPUT ACCEPT\n"
          "-A INPUT\n"
          "-A INPUT -p udp\n"
          "-A FORWARD -p tcp\n" },
        /* iptables -t nat -L */
        { tables_v4, FAMILY_IPV4, TABLE_NAT, 'L', NULL, 0, 0,
          "Chain PREROUTING (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "DNAT       tcp  --  anywhere             anywhere             tcp dpt:http to:10.0.0.1:8080\n"
          "REDIRECT   udp  --  anywhere             anywhere             redir ports 5353\n"
          "\n"
          "Chain INPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "\n"
          "Chain POSTROUTING (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "MASQUERADE  all  --  anywhere             anywhere            \n"
          "SNAT       all  --  10.0.0.0/8           anywhere             to:1.2.3.4\n" },
        /* iptables -t nat -L -n -v */
        { tables_v4, FAMILY_IPV4, TABLE_NAT, 'L', NULL, 0, PRINT_NUMERIC | PRINT_VERBOSE,
          "Chain PREROUTING (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 DNAT       6    --  eth0   *       0.0.0.0/0            0.0.0.0/0            tcp dpt:80 to:10.0.0.1:8080\n"
          "    0     0 REDIRECT   17   --  *      *       0.0.0.0/0            0.0.0.0/0            redir ports 5353\n"
          "\n"
          "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "\n"
          "Chain POSTROUTING (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 MASQUERADE  0    --  *      eth0    0.0.0.0/0            0.0.0.0/0           \n"
          "    0     0 SNAT       0    --  *      *       10.0.0.0/8           0.0.0.0/0            to:1.2.3.4\n" },
        /* iptables -t nat -S */
        { tables_v4, FAMILY_IPV4, TABLE_NAT, 'S', NULL, 0, 0,
          "-P PREROUTING ACCEPT\n"
          "-P INPUT ACCEPT\n"
          "-P OUTPUT ACCEPT\n"
          "-P POSTROUTING ACCEPT\n"
          "-A PREROUTING -i eth0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080\n"
          "-A PREROUTING -p udp -j REDIRECT --to-ports 5353\n"
          "-A POSTROUTING -o eth0 -j MASQUERADE\n"
          "-A POSTROUTING -s 10.0.0.0/8 -j SNAT --to-source 1.2.3.4\n" },
        /* iptables -t mangle -L -n -v */
        { tables_v4, FAMILY_IPV4, TABLE_MANGLE, 'L', NULL, 0, PRINT_NUMERIC | PRINT_VERBOSE,
          "Chain PREROUTING (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 MARK       0    --  *      *       0.0.0.0/0            0.0.0.0/0            MARK set 0x1\n"
          "\n"
          "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "\n"
          "Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 TCPMSS     6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp flags:0x06/0x02 TCPMSS clamp to PMTU\n"
          "\n"
          "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 CONNMARK   0    --  *      *       0.0.0.0/0            0.0.0.0/0            mark match 0x2/0xff CONNMARK save\n"
          "\n"
          "Chain POSTROUTING (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n" },
        /* iptables -t mangle -L */
        { tables_v4, FAMILY_IPV4, TABLE_MANGLE, 'L', NULL, 0, 0,
          "Chain PREROUTING (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "MARK       all  --  anywhere             anywhere             MARK set 0x1\n"
          "\n"
          "Chain INPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "\n"
          "Chain FORWARD (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "TCPMSS     tcp  --  anywhere             anywhere             tcp flags:SYN,RST/SYN TCPMSS clamp to PMTU\n"
          "\n"
          "Chain OUTPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "CONNMARK   all  --  anywhere             anywhere             mark match 0x2/0xff CONNMARK save\n"
          "\n"
          "Chain POSTROUTING (policy ACCEPT)\n"
          "target     prot opt source               destination         \n" },
        /* iptables -t raw -L -v */
        { tables_v4, FAMILY_IPV4, TABLE_RAW, 'L', NULL, 0, PRINT_VERBOSE,
          "Chain PREROUTING (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 CT         udp  --  any    any     anywhere             anywhere             udp dpt:domain NOTRACK\n"
          "\n"
          "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 CT         all  --  any    any     anywhere             anywhere             CT zone 5\n" },
        /* iptables -t raw -S */
        { tables_v4, FAMILY_IPV4, TABLE_RAW, 'S', NULL, 0, 0,
          "-P PREROUTING ACCEPT\n"
          "-P OUTPUT ACCEPT\n"
          "-A PREROUTING -p udp -m udp --dport 53 -j NOTRACK\n"
          "-A OUTPUT -j CT --zone 5\n" },
        /* iptables -t filter -L */
        { odd_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, 0,
          "Chain INPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "ACCEPT     all  --  anywhere             anywhere            \n"
          "           udp  --  anywhere             anywhere            \n"
          "           tcp  !f  anywhere             anywhere            \n"
          "           all  --  192.168.0.100/255.255.0.255  10.0.0.0/8          \n"
          "          !tcp  --  1.2.3.4              anywhere            \n"
          "           255  --  anywhere             anywhere            \n"
          "DROP       200  --  anywhere             anywhere            \n"
          "\n"
          "Chain FORWARD (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "a-very-long-chain-name-28ch  all  --  anywhere             anywhere            \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "a-very-long-chain-name-28ch  all  --  anywhere             anywhere            [goto] \n"
          "           sctp --  anywhere             anywhere            \n"
          "\n"
          "Chain a-very-long-chain-name-28ch (2 references)\n"
          "target     prot opt source               destination         \n"
          "           all  --  anywhere             anywhere             /* x y */\n" },
        /* iptables -t filter -L -n */
        { odd_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_NUMERIC,
          "Chain INPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0           \n"
          "           17   --  0.0.0.0/0            0.0.0.0/0           \n"
          "           6    !f  0.0.0.0/0            0.0.0.0/0           \n"
          "           0    --  192.168.0.100/255.255.0.255  10.0.0.0/8          \n"
          "          !6    --  1.2.3.4              0.0.0.0/0           \n"
          "           255  --  0.0.0.0/0            0.0.0.0/0           \n"
          "DROP       200  --  0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain FORWARD (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "a-very-long-chain-name-28ch  0    --  0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "a-very-long-chain-name-28ch  0    --  0.0.0.0/0            0.0.0.0/0           [goto] \n"
          "           132  --  0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain a-very-long-chain-name-28ch (2 references)\n"
          "target     prot opt source               destination         \n"
          "           0    --  0.0.0.0/0            0.0.0.0/0            /* x y */\n" },
        /* iptables -t filter -L -v */
        { odd_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_VERBOSE,
          "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 ACCEPT     all  --  abcdefghijklmno any     anywhere             anywhere            \n"
          "    0     0            udp  --  !+     any     anywhere             anywhere            \n"
          "    0     0            tcp  !f  any    any     anywhere             anywhere            \n"
          "    0     0            all  --  any    any     192.168.0.100/255.255.0.255  10.0.0.0/8          \n"
          "    0     0           !tcp  --  any    any     1.2.3.4              anywhere            \n"
          "    0     0            255  --  any    any     anywhere             anywhere            \n"
          "    0     0 DROP       200  --  any    any     anywhere             anywhere            \n"
          "\n"
          "Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 a-very-long-chain-name-28ch  all  --  !abcdefghijklmno !eth+   anywhere             anywhere            \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 a-very-long-chain-name-28ch  all  --  any    lo      anywhere             anywhere            [goto] \n"
          "    0     0            sctp --  any    any     anywhere             anywhere            \n"
          "\n"
          "Chain a-very-long-chain-name-28ch (2 references)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0            all  --  any    any     anywhere             anywhere             /* x y */\n" },
        /* iptables -t filter -L -n -v --line-numbers */
        { odd_v4, FAMILY_IPV4, TABLE_FILTER, 'L', NULL, 0, PRINT_NUMERIC | PRINT_VERBOSE | PRINT_LINE_NUMBERS,
          "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          "num   pkts bytes target     prot opt in     out     source               destination         \n"
          "1        0     0 ACCEPT     0    --  abcdefghijklmno *       0.0.0.0/0            0.0.0.0/0           \n"
          "2        0     0            17   --  !+     *       0.0.0.0/0            0.0.0.0/0           \n"
          "3        0     0            6    !f  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "4        0     0            0    --  *      *       192.168.0.100/255.255.0.255  10.0.0.0/8          \n"
          "5        0     0           !6    --  *      *       1.2.3.4              0.0.0.0/0           \n"
          "6        0     0            255  --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "7        0     0 DROP       200  --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)\n"
          "num   pkts bytes target     prot opt in     out     source               destination         \n"
          "1        0     0 a-very-long-chain-name-28ch  0    --  !abcdefghijklmno !eth+   0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          "num   pkts bytes target     prot opt in     out     source               destination         \n"
          "1        0     0 a-very-long-chain-name-28ch  0    --  *      lo      0.0.0.0/0            0.0.0.0/0           [goto] \n"
          "2        0     0            132  --  *      *       0.0.0.0/0            0.0.0.0/0           \n"
          "\n"
          "Chain a-very-long-chain-name-28ch (2 references)\n"
          "num   pkts bytes target     prot opt in     out     source               destination         \n"
          "1        0     0            0    --  *      *       0.0.0.0/0            0.0.0.0/0            /* x y */\n" },
        /* iptables -t filter -S */
        { odd_v4, FAMILY_IPV4, TABLE_FILTER, 'S', NULL, 0, 0,
          "-P INPUT ACCEPT\n"
          "-P FORWARD ACCEPT\n"
          "-P OUTPUT ACCEPT\n"
          "-N a-very-long-chain-name-28ch\n"
          "-A INPUT -i abcdefghijklmno -j ACCEPT\n"
          "-A INPUT ! -i + -p udp\n"
          "-A INPUT -p tcp ! -f\n"
          "-A INPUT -s 192.168.0.100/255.255.0.255 -d 10.0.0.0/8\n"
          "-A INPUT -s 1.2.3.4/32 ! -p tcp\n"
          "-A INPUT -p 255\n"
          "-A INPUT -p 200 -j DROP\n"
          "-A FORWARD ! -i abcdefghijklmno ! -o eth+ -j a-very-long-chain-name-28ch\n"
          "-A OUTPUT -o lo -g a-very-long-chain-name-28ch\n"
          "-A OUTPUT -p sctp\n"
          "-A a-very-long-chain-name-28ch -m comment --comment \"x y\"\n" },
        /* ip6tables -t filter -L */
        { rich_v6, FAMILY_IPV6, TABLE_FILTER, 'L', NULL, 0, 0,
          "Chain INPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "ACCEPT     tcp  --  2001:db8::/32        ::1                  tcp dpt:ssh\n"
          "u          all  --  2001:db8:1234:5678:9abc:def0:1234:5678  anywhere            \n"
          "DROP       all  --  anywhere             fe80::/ffff:0:ffff:: \n"
          "\n"
          "Chain FORWARD (policy DROP)\n"
          "target     prot opt source               destination         \n"
          "u          all  --  anywhere             anywhere            \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "\n"
          "Chain u (2 references)\n"
          "target     prot opt source               destination         \n"
          "RETURN     all  --  anywhere             anywhere            \n" },
        /* ip6tables -t filter -L -n */
        { rich_v6, FAMILY_IPV6, TABLE_FILTER, 'L', NULL, 0, PRINT_NUMERIC,
          "Chain INPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "ACCEPT     6    --  2001:db8::/32        ::1                  tcp dpt:22\n"
          "u          0    --  2001:db8:1234:5678:9abc:def0:1234:5678  ::/0                \n"
          "DROP       0    --  ::/0                 fe80::/ffff:0:ffff:: \n"
          "\n"
          "Chain FORWARD (policy DROP)\n"
          "target     prot opt source               destination         \n"
          "u          0    --  ::/0                 ::/0                \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT)\n"
          "target     prot opt source               destination         \n"
          "\n"
          "Chain u (2 references)\n"
          "target     prot opt source               destination         \n"
          "RETURN     0    --  ::/0                 ::/0                \n" },
        /* ip6tables -t filter -L -v */
        { rich_v6, FAMILY_IPV6, TABLE_FILTER, 'L', NULL, 0, PRINT_VERBOSE,
          "Chain INPUT (policy ACCEPT 1 packets, 2 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 ACCEPT     tcp  --  any    any     2001:db8::/32        ::1                  tcp dpt:ssh\n"
          "    0     0 u          all  --  any    any     2001:db8:1234:5678:9abc:def0:1234:5678  anywhere            \n"
          "    0     0 DROP       all  --  any    any     anywhere             fe80::/ffff:0:ffff:: \n"
          "\n"
          "Chain FORWARD (policy DROP 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 u          all  --  eth0   any     anywhere             anywhere            \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "\n"
          "Chain u (2 references)\n"
          " pkts bytes target     prot opt in     out     source               destination         \n"
          "    0     0 RETURN     all  --  any    any     anywhere             anywhere            \n" },
        /* ip6tables -t filter -L -n -v -x --line-numbers */
        { rich_v6, FAMILY_IPV6, TABLE_FILTER, 'L', NULL, 0, PRINT_NUMERIC | PRINT_VERBOSE | PRINT_EXACT | PRINT_LINE_NUMBERS,
          "Chain INPUT (policy ACCEPT 1 packets, 2 bytes)\n"
          "num      pkts      bytes target     prot opt in     out     source               destination         \n"
          "1           0        0 ACCEPT     6    --  *      *       2001:db8::/32        ::1                  tcp dpt:22\n"
          "2           0        0 u          0    --  *      *       2001:db8:1234:5678:9abc:def0:1234:5678  ::/0                \n"
          "3           0        0 DROP       0    --  *      *       ::/0                 fe80::/ffff:0:ffff:: \n"
          "\n"
          "Chain FORWARD (policy DROP 0 packets, 0 bytes)\n"
          "num      pkts      bytes target     prot opt in     out     source               destination         \n"
          "1           0        0 u          0    --  eth0   *       ::/0                 ::/0                \n"
          "\n"
          "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n"
          "num      pkts      bytes target     prot opt in     out     source               destination         \n"
          "\n"
          "Chain u (2 references)\n"
          "num      pkts      bytes target     prot opt in     out     source               destination         \n"
          "1           0        0 RETURN     0    --  *      *       ::/0                 ::/0                \n" },
        /* ip6tables -t filter -S */
        { rich_v6, FAMILY_IPV6, TABLE_FILTER, 'S', NULL, 0, 0,
          "-P INPUT ACCEPT\n"
          "-P FORWARD DROP\n"
          "-P OUTPUT ACCEPT\n"
          "-N u\n"
          "-A INPUT -s 2001:db8::/32 -d ::1/128 -p tcp -m tcp --dport 22 -j ACCEPT\n"
          "-A INPUT -s 2001:db8:1234:5678:9abc:def0:1234:5678/128 -j u\n"
          "-A INPUT -d fe80::/ffff:0:ffff:: -j DROP\n"
          "-A FORWARD -i eth0 -j u\n"
          "-A u -j RETURN\n" },
};

/* ---- iptables-save ---- */

static const struct {
        const char *input;
        Family family;
        TableType table;
        unsigned flags;
        const char *expected;   /* iptables-nft-save [-c] -t TABLE */
} save_cases[] = {
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, 0,
          "*filter\n"
          ":INPUT DROP [123456789:98765432109]\n"
          ":FORWARD ACCEPT [99999:100000]\n"
          ":OUTPUT ACCEPT [0:0]\n"
          ":LOGDROP - [0:0]\n"
          ":empty - [0:0]\n"
          "-A INPUT -i lo -j ACCEPT\n"
          "-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\n"
          "-A INPUT ! -s 192.168.1.0/24 -d 1.2.3.4/32 -p udp -m udp --sport 53 -j ACCEPT\n"
          "-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT\n"
          "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
          "-A INPUT -p tcp -m multiport --dports 80,443 -m comment --comment \"web ports\" -j ACCEPT\n"
          "-A INPUT -f -j DROP\n"
          "-A INPUT -p gre -j ACCEPT\n"
          "-A INPUT -j LOGDROP\n"
          "-A FORWARD -i eth0 -o eth1 -j ACCEPT\n"
          "-A FORWARD ! -i eth0 ! -o eth1 -p tcp -g LOGDROP\n"
          "-A OUTPUT -d 1.0.3.0/255.0.255.0 -j REJECT --reject-with icmp-port-unreachable\n"
          "-A OUTPUT -p tcp -j REJECT --reject-with tcp-reset\n"
          "-A LOGDROP -m limit --limit 5/min -j LOG --log-prefix \"dropped: \"\n"
          "-A LOGDROP -j DROP\n"
          "COMMIT\n" },
        { rich_v4, FAMILY_IPV4, TABLE_FILTER, PRINT_COUNTERS,
          "*filter\n"
          ":INPUT DROP [123456789:98765432109]\n"
          ":FORWARD ACCEPT [99999:100000]\n"
          ":OUTPUT ACCEPT [0:0]\n"
          ":LOGDROP - [0:0]\n"
          ":empty - [0:0]\n"
          "[5:300] -A INPUT -i lo -j ACCEPT\n"
          "[1000:1000000] -A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\n"
          "[123456:7777777] -A INPUT ! -s 192.168.1.0/24 -d 1.2.3.4/32 -p udp -m udp --sport 53 -j ACCEPT\n"
          "[99999:99999] -A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT\n"
          "[100000:100000] -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
          "[0:0] -A INPUT -p tcp -m multiport --dports 80,443 -m comment --comment \"web ports\" -j ACCEPT\n"
          "[0:0] -A INPUT -f -j DROP\n"
          "[0:0] -A INPUT -p gre -j ACCEPT\n"
          "[0:0] -A INPUT -j LOGDROP\n"
          "[0:0] -A FORWARD -i eth0 -o eth1 -j ACCEPT\n"
          "[0:0] -A FORWARD ! -i eth0 ! -o eth1 -p tcp -g LOGDROP\n"
          "[0:0] -A OUTPUT -d 1.0.3.0/255.0.255.0 -j REJECT --reject-with icmp-port-unreachable\n"
          "[0:0] -A OUTPUT -p tcp -j REJECT --reject-with tcp-reset\n"
          "[0:0] -A LOGDROP -m limit --limit 5/min -j LOG --log-prefix \"dropped: \"\n"
          "[0:0] -A LOGDROP -j DROP\n"
          "COMMIT\n" },
        { tables_v4, FAMILY_IPV4, TABLE_NAT, 0,
          "*nat\n"
          ":PREROUTING ACCEPT [0:0]\n"
          ":INPUT ACCEPT [0:0]\n"
          ":OUTPUT ACCEPT [0:0]\n"
          ":POSTROUTING ACCEPT [0:0]\n"
          "-A PREROUTING -i eth0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080\n"
          "-A PREROUTING -p udp -j REDIRECT --to-ports 5353\n"
          "-A POSTROUTING -o eth0 -j MASQUERADE\n"
          "-A POSTROUTING -s 10.0.0.0/8 -j SNAT --to-source 1.2.3.4\n"
          "COMMIT\n" },
        { tables_v4, FAMILY_IPV4, TABLE_NAT, PRINT_COUNTERS,
          "*nat\n"
          ":PREROUTING ACCEPT [0:0]\n"
          ":INPUT ACCEPT [0:0]\n"
          ":OUTPUT ACCEPT [0:0]\n"
          ":POSTROUTING ACCEPT [0:0]\n"
          "[0:0] -A PREROUTING -i eth0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080\n"
          "[0:0] -A PREROUTING -p udp -j REDIRECT --to-ports 5353\n"
          "[0:0] -A POSTROUTING -o eth0 -j MASQUERADE\n"
          "[0:0] -A POSTROUTING -s 10.0.0.0/8 -j SNAT --to-source 1.2.3.4\n"
          "COMMIT\n" },
        { tables_v4, FAMILY_IPV4, TABLE_MANGLE, 0,
          "*mangle\n"
          ":PREROUTING ACCEPT [0:0]\n"
          ":INPUT ACCEPT [0:0]\n"
          ":FORWARD ACCEPT [0:0]\n"
          ":OUTPUT ACCEPT [0:0]\n"
          ":POSTROUTING ACCEPT [0:0]\n"
          "-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff\n"
          "-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu\n"
          "-A OUTPUT -m mark --mark 0x2/0xff -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff\n"
          "COMMIT\n" },
        { tables_v4, FAMILY_IPV4, TABLE_MANGLE, PRINT_COUNTERS,
          "*mangle\n"
          ":PREROUTING ACCEPT [0:0]\n"
          ":INPUT ACCEPT [0:0]\n"
          ":FORWARD ACCEPT [0:0]\n"
          ":OUTPUT ACCEPT [0:0]\n"
          ":POSTROUTING ACCEPT [0:0]\n"
          "[0:0] -A PREROUTING -j MARK --set-xmark 0x1/0xffffffff\n"
          "[0:0] -A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu\n"
          "[0:0] -A OUTPUT -m mark --mark 0x2/0xff -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff\n"
          "COMMIT\n" },
        { tables_v4, FAMILY_IPV4, TABLE_RAW, 0,
          "*raw\n"
          ":PREROUTING ACCEPT [0:0]\n"
          ":OUTPUT ACCEPT [0:0]\n"
          "-A PREROUTING -p udp -m udp --dport 53 -j NOTRACK\n"
          "-A OUTPUT -j CT --zone 5\n"
          "COMMIT\n" },
        { tables_v4, FAMILY_IPV4, TABLE_RAW, PRINT_COUNTERS,
          "*raw\n"
          ":PREROUTING ACCEPT [0:0]\n"
          ":OUTPUT ACCEPT [0:0]\n"
          "[0:0] -A PREROUTING -p udp -m udp --dport 53 -j NOTRACK\n"
          "[0:0] -A OUTPUT -j CT --zone 5\n"
          "COMMIT\n" },
        { rich_v6, FAMILY_IPV6, TABLE_FILTER, 0,
          "*filter\n"
          ":INPUT ACCEPT [1:2]\n"
          ":FORWARD DROP [0:0]\n"
          ":OUTPUT ACCEPT [0:0]\n"
          ":u - [0:0]\n"
          "-A INPUT -s 2001:db8::/32 -d ::1/128 -p tcp -m tcp --dport 22 -j ACCEPT\n"
          "-A INPUT -s 2001:db8:1234:5678:9abc:def0:1234:5678/128 -j u\n"
          "-A INPUT -d fe80::/ffff:0:ffff:: -j DROP\n"
          "-A FORWARD -i eth0 -j u\n"
          "-A u -j RETURN\n"
          "COMMIT\n" },
        { rich_v6, FAMILY_IPV6, TABLE_FILTER, PRINT_COUNTERS,
          "*filter\n"
          ":INPUT ACCEPT [1:2]\n"
          ":FORWARD DROP [0:0]\n"
          ":OUTPUT ACCEPT [0:0]\n"
          ":u - [0:0]\n"
          "[0:0] -A INPUT -s 2001:db8::/32 -d ::1/128 -p tcp -m tcp --dport 22 -j ACCEPT\n"
          "[0:0] -A INPUT -s 2001:db8:1234:5678:9abc:def0:1234:5678/128 -j u\n"
          "[0:0] -A INPUT -d fe80::/ffff:0:ffff:: -j DROP\n"
          "[0:0] -A FORWARD -i eth0 -j u\n"
          "[0:0] -A u -j RETURN\n"
          "COMMIT\n" },
        { odd_v4, FAMILY_IPV4, TABLE_FILTER, 0,
          "*filter\n"
          ":INPUT ACCEPT [0:0]\n"
          ":FORWARD ACCEPT [0:0]\n"
          ":OUTPUT ACCEPT [0:0]\n"
          ":a-very-long-chain-name-28ch - [0:0]\n"
          "-A INPUT -i abcdefghijklmno -j ACCEPT\n"
          "-A INPUT ! -i + -p udp\n"
          "-A INPUT -p tcp ! -f\n"
          "-A INPUT -s 192.168.0.100/255.255.0.255 -d 10.0.0.0/8\n"
          "-A INPUT -s 1.2.3.4/32 ! -p tcp\n"
          "-A INPUT -p 255\n"
          "-A INPUT -p 200 -j DROP\n"
          "-A FORWARD ! -i abcdefghijklmno ! -o eth+ -j a-very-long-chain-name-28ch\n"
          "-A OUTPUT -o lo -g a-very-long-chain-name-28ch\n"
          "-A OUTPUT -p sctp\n"
          "-A a-very-long-chain-name-28ch -m comment --comment \"x y\"\n"
          "COMMIT\n" },
        { odd_v4, FAMILY_IPV4, TABLE_FILTER, PRINT_COUNTERS,
          "*filter\n"
          ":INPUT ACCEPT [0:0]\n"
          ":FORWARD ACCEPT [0:0]\n"
          ":OUTPUT ACCEPT [0:0]\n"
          ":a-very-long-chain-name-28ch - [0:0]\n"
          "[0:0] -A INPUT -i abcdefghijklmno -j ACCEPT\n"
          "[0:0] -A INPUT ! -i + -p udp\n"
          "[0:0] -A INPUT -p tcp ! -f\n"
          "[0:0] -A INPUT -s 192.168.0.100/255.255.0.255 -d 10.0.0.0/8\n"
          "[0:0] -A INPUT -s 1.2.3.4/32 ! -p tcp\n"
          "[0:0] -A INPUT -p 255\n"
          "[0:0] -A INPUT -p 200 -j DROP\n"
          "[0:0] -A FORWARD ! -i abcdefghijklmno ! -o eth+ -j a-very-long-chain-name-28ch\n"
          "[0:0] -A OUTPUT -o lo -g a-very-long-chain-name-28ch\n"
          "[0:0] -A OUTPUT -p sctp\n"
          "[0:0] -A a-very-long-chain-name-28ch -m comment --comment \"x y\"\n"
          "COMMIT\n" },
};

/* ---- helpers ---- */

static Ruleset *parse(const char *text, Family family) {
        DiagList diags = DIAG_LIST_INIT;
        Ruleset *rs = NULL;
        int r;

        r = ruleset_parse_string(text, strlen(text), "fixture", family, &diags, &rs);
        if (r < 0 || diags.n_items > 0) {
                char *buf = NULL;
                size_t size = 0;
                FILE *f = open_memstream(&buf, &size);
                diag_list_print(&diags, f);
                fclose(f);
                ck_abort_msg("fixture does not parse (r=%d):\n%s", r, buf);
        }
        diag_list_deinit(&diags);
        return rs;
}

static char *save_text(const Ruleset *rs, Family family, unsigned flags) {
        StrBuf b = STRBUF_INIT;
        char *s;

        ruleset_print_save(rs, family, flags, &b);
        ck_assert_int_eq(b.error, 0);
        s = strdup(strbuf_str(&b));
        strbuf_deinit(&b);
        return s;
}

/* ---- -S and -L ---- */

START_TEST(test_print) {
        Ruleset *rs = parse(print_cases[_i].input, print_cases[_i].family);
        const Table *t = ruleset_get_table(rs, print_cases[_i].family, print_cases[_i].table);
        StrBuf b = STRBUF_INIT;
        int r;

        ck_assert_ptr_nonnull(t);
        if (print_cases[_i].mode == 'S')
                r = table_print_rules(t, print_cases[_i].chain, print_cases[_i].rulenum, print_cases[_i].flags, &b);
        else
                r = table_print_list(t, print_cases[_i].chain, print_cases[_i].flags, &b);
        ck_assert_int_eq(r, 0);
        ck_assert_str_eq(strbuf_str(&b), print_cases[_i].expected);
        strbuf_deinit(&b);
        ruleset_free(rs);
}
END_TEST

START_TEST(test_print_errors) {
        Ruleset *rs = parse(rich_v4, FAMILY_IPV4);
        const Table *t = ruleset_get_table(rs, FAMILY_IPV4, TABLE_FILTER);
        StrBuf b = STRBUF_INIT;

        ck_assert_int_eq(table_print_rules(t, "nosuch", 0, 0, &b), -ENOENT);
        ck_assert_int_eq(table_print_list(t, "nosuch", 0, &b), -ENOENT);
        ck_assert_int_eq(table_print_rules(t, "LOGDROP", 3, 0, &b), -ERANGE);
        ck_assert_int_eq(table_print_rules(t, "empty", 1, 0, &b), -ERANGE);
        ck_assert_str_eq(strbuf_str(&b), "");
        /* the last rule is in range */
        ck_assert_int_eq(table_print_rules(t, "LOGDROP", 2, 0, &b), 0);
        ck_assert_str_eq(strbuf_str(&b), "-A LOGDROP -j DROP\n");
        strbuf_deinit(&b);
        ruleset_free(rs);
}
END_TEST

/* The counter column formats of iptables (xtables_print_num), shown in a policy line. */
static const struct {
        uint64_t packets;
        unsigned flags;
        const char *expected;
} counter_cases[] = {
        { 0, PRINT_VERBOSE, "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n" },
        { 99999, PRINT_VERBOSE, "Chain INPUT (policy ACCEPT 99999 packets, 0 bytes)\n" },
        { 100000, PRINT_VERBOSE, "Chain INPUT (policy ACCEPT 100K packets, 0 bytes)\n" },
        { 100499, PRINT_VERBOSE, "Chain INPUT (policy ACCEPT 100K packets, 0 bytes)\n" },
        { 100500, PRINT_VERBOSE, "Chain INPUT (policy ACCEPT 101K packets, 0 bytes)\n" },
        { 9999499, PRINT_VERBOSE, "Chain INPUT (policy ACCEPT 9999K packets, 0 bytes)\n" },
        { 9999500, PRINT_VERBOSE, "Chain INPUT (policy ACCEPT 10M packets, 0 bytes)\n" },
        { 123456789, PRINT_VERBOSE, "Chain INPUT (policy ACCEPT 123M packets, 0 bytes)\n" },
        { 98765432109, PRINT_VERBOSE, "Chain INPUT (policy ACCEPT 99G packets, 0 bytes)\n" },
        { 12345678901234, PRINT_VERBOSE, "Chain INPUT (policy ACCEPT 12T packets, 0 bytes)\n" },
        { 123456789, PRINT_VERBOSE | PRINT_EXACT, "Chain INPUT (policy ACCEPT 123456789 packets, 0 bytes)\n" },
        { 123456789, PRINT_VERBOSE | PRINT_NUMERIC, "Chain INPUT (policy ACCEPT 123M packets, 0 bytes)\n" },
        /* not verbose: no counters */
        { 123456789, 0, "Chain INPUT (policy ACCEPT)\n" },
        { 123456789, PRINT_EXACT, "Chain INPUT (policy ACCEPT)\n" },
};

START_TEST(test_counter_format) {
        Ruleset *rs = parse("*filter\nCOMMIT\n", FAMILY_IPV4);
        Table *t = ruleset_get_table(rs, FAMILY_IPV4, TABLE_FILTER);
        StrBuf b = STRBUF_INIT;
        char *first_line;
        const char *s;

        t->chains[0]->counters.packets = counter_cases[_i].packets;
        ck_assert_int_eq(table_print_list(t, "INPUT", counter_cases[_i].flags, &b), 0);
        s = strbuf_str(&b);
        ck_assert_ptr_nonnull(strchr(s, '\n'));
        first_line = strndup(s, strchr(s, '\n') - s + 1);
        ck_assert_str_eq(first_line, counter_cases[_i].expected);
        free(first_line);
        strbuf_deinit(&b);
        ruleset_free(rs);
}
END_TEST

/* ---- save ---- */

START_TEST(test_save) {
        Ruleset *rs = parse(save_cases[_i].input, save_cases[_i].family);
        const Table *t = ruleset_get_table(rs, save_cases[_i].family, save_cases[_i].table);
        StrBuf b = STRBUF_INIT;

        ck_assert_ptr_nonnull(t);
        table_print_save(t, save_cases[_i].flags, &b);
        ck_assert_str_eq(strbuf_str(&b), save_cases[_i].expected);
        strbuf_deinit(&b);
        ruleset_free(rs);
}
END_TEST

START_TEST(test_save_family) {
        Ruleset *rs = parse(tables_v4, FAMILY_IPV4);
        char *s;

        /* every table of the family, in the model's order */
        s = save_text(rs, FAMILY_IPV4, 0);
        ck_assert_str_eq(s, "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                            ":POSTROUTING ACCEPT [0:0]\n"
                            "-A PREROUTING -i eth0 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080\n"
                            "-A PREROUTING -p udp -j REDIRECT --to-ports 5353\n"
                            "-A POSTROUTING -o eth0 -j MASQUERADE\n"
                            "-A POSTROUTING -s 10.0.0.0/8 -j SNAT --to-source 1.2.3.4\n"
                            "COMMIT\n"
                            "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
                            ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
                            "-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff\n"
                            "-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu\n"
                            "-A OUTPUT -m mark --mark 0x2/0xff -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff\n"
                            "COMMIT\n"
                            "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                            "-A PREROUTING -p udp -m udp --dport 53 -j NOTRACK\n"
                            "-A OUTPUT -j CT --zone 5\n"
                            "COMMIT\n");
        free(s);
        /* the other family has no tables */
        s = save_text(rs, FAMILY_IPV6, PRINT_COUNTERS);
        ck_assert_str_eq(s, "");
        free(s);
        ruleset_free(rs);
}
END_TEST

START_TEST(test_rule_spec) {
        Ruleset *rs = parse(rich_v4, FAMILY_IPV4);
        const Table *t = ruleset_get_table(rs, FAMILY_IPV4, TABLE_FILTER);
        const Chain *c = table_find_chain(t, "INPUT");
        StrBuf b = STRBUF_INIT;

        rule_print_spec(c->rules[1], FAMILY_IPV4, &b);
        ck_assert_str_eq(strbuf_str(&b), " -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT");
        strbuf_reset(&b);
        c = table_find_chain(t, "FORWARD");
        rule_print_spec(c->rules[1], FAMILY_IPV4, &b);
        ck_assert_str_eq(strbuf_str(&b), " ! -i eth0 ! -o eth1 -p tcp -g LOGDROP");
        strbuf_reset(&b);
        /* no specification at all: nothing, not even a space */
        rs = ruleset_free(rs);
        rs = parse("*filter\n-A INPUT\nCOMMIT\n", FAMILY_IPV4);
        t = ruleset_get_table(rs, FAMILY_IPV4, TABLE_FILTER);
        rule_print_spec(t->chains[0]->rules[0], FAMILY_IPV4, &b);
        ck_assert_str_eq(strbuf_str(&b), "");
        strbuf_deinit(&b);
        ruleset_free(rs);
}
END_TEST

/* ---- round trip: print(parse(print(x))) == print(x) ---- */

/* Compares line by line: check's messages cannot hold whole listings. */
static void assert_same_text(const char *got, const char *expected) {
        while (*got || *expected) {
                size_t lg = strcspn(got, "\n"), le = strcspn(expected, "\n");
                ck_assert_msg(lg == le && strncmp(got, expected, lg) == 0, "\"%.*s\" instead of \"%.*s\"", (int)lg,
                              got, (int)le, expected);
                got += lg + (got[lg] == '\n');
                expected += le + (expected[le] == '\n');
        }
}

static void assert_same_print(const Table *a, const Table *b, char mode, unsigned flags) {
        StrBuf sa = STRBUF_INIT, sb = STRBUF_INIT;

        if (mode == 'S') {
                ck_assert_int_eq(table_print_rules(a, NULL, 0, flags, &sa), 0);
                ck_assert_int_eq(table_print_rules(b, NULL, 0, flags, &sb), 0);
        } else {
                ck_assert_int_eq(table_print_list(a, NULL, flags, &sa), 0);
                ck_assert_int_eq(table_print_list(b, NULL, flags, &sb), 0);
        }
        assert_same_text(strbuf_str(&sb), strbuf_str(&sa));
        strbuf_deinit(&sa);
        strbuf_deinit(&sb);
}

static const struct {
        const char *input;
        Family family;
} round_trip_cases[] = {
        { rich_v4, FAMILY_IPV4 },
        { big_counters_v4, FAMILY_IPV4 },
        { no_target_v4, FAMILY_IPV4 },
        { tables_v4, FAMILY_IPV4 },
        { odd_v4, FAMILY_IPV4 },
        { rich_v6, FAMILY_IPV6 },
        { "*filter\n"
          ":INPUT DROP [0:0]\n"
          ":in_tcp - [0:0]\n"
          ":in_udp - [0:0]\n"
          "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
          "-A INPUT -m conntrack --ctstate INVALID -j DROP\n"
          "-A INPUT -p icmp --icmp-type 3/4 -j ACCEPT\n"
          "-A INPUT -p tcp --syn -m conntrack --ctstate NEW -j in_tcp\n"
          "-A INPUT -p udp -m conntrack --ctstate NEW -j in_udp\n"
          "-A INPUT -m addrtype --dst-type BROADCAST -j DROP\n"
          "-A INPUT -m pkttype --pkt-type multicast -j DROP\n"
          "-A INPUT -m limit --limit 3/hour --limit-burst 10 -j LOG --log-prefix \"in: \" --log-level 6\n"
          "-A INPUT -j REJECT --reject-with icmp-host-prohibited\n"
          "-A in_tcp -p tcp -m multiport --dports 22,80,443,8000:8080 -j ACCEPT\n"
          "-A in_tcp -p tcp --dport 25 -m comment --comment \"mail \\\"relay\\\" \\\\ x\" -j ACCEPT\n"
          "-A in_tcp -m iprange --src-range 10.0.0.1-10.0.0.99 -m length --length 40:1500 -j ACCEPT\n"
          "-A in_udp -p udp --sport 53 --dport 1024:65535 -m ttl --ttl-gt 5 -j ACCEPT\n"
          "-A in_udp -m mac --mac-source 00:11:22:33:44:55 -m tos --tos 0x10 -j RETURN\n"
          "COMMIT\n",
          FAMILY_IPV4 },
        { "*mangle\n"
          "-A PREROUTING -m connmark --mark 0x1/0xff -j CONNMARK --restore-mark\n"
          "-A PREROUTING -m dscp --dscp 0x2e -j MARK --set-mark 7\n"
          "-A OUTPUT -m owner --uid-owner 1000 -j DSCP --set-dscp-class ef\n"
          "-A POSTROUTING -j TOS --set-tos 0x10/0x3f\n"
          "-A FORWARD -j TTL --ttl-dec 1\n"
          "COMMIT\n"
          "*nat\n"
          "-A PREROUTING -d 1.2.3.4 -p tcp --dport 443 -j DNAT --to-destination 10.0.0.2-10.0.0.5:8443\n"
          "-A POSTROUTING -o eth0 -p udp -j MASQUERADE --to-ports 1024-2048 --random\n"
          "-A OUTPUT -d 192.168.0.0/24 -j NETMAP --to 10.8.0.0/24\n"
          "COMMIT\n"
          "*raw\n"
          "-A PREROUTING -p udp --dport 5060 -j CT --helper sip\n"
          "COMMIT\n",
          FAMILY_IPV4 },
        { "*filter\n"
          "-A INPUT -p ipv6-icmp --icmpv6-type neighbour-solicitation -m hl --hl-eq 255 -j ACCEPT\n"
          "-A INPUT -s fe80::/10 -d ff02::1:2 -p udp --dport 547 -j ACCEPT\n"
          "-A INPUT -m state --state NEW -p tcp -m tcp --tcp-flags ALL NONE -j DROP\n"
          "-A FORWARD ! -i eth0 -o eth1 -j REJECT --reject-with icmp6-adm-prohibited\n"
          "-A OUTPUT -j NFLOG --nflog-group 5 --nflog-prefix out\n"
          "COMMIT\n"
          "*mangle\n"
          "-A POSTROUTING -j HL --hl-set 64\n"
          "COMMIT\n",
          FAMILY_IPV6 },
};

START_TEST(test_round_trip) {
        static const unsigned flag_sets[] = { 0, PRINT_COUNTERS };
        Family family = round_trip_cases[_i].family;
        Ruleset *rs = parse(round_trip_cases[_i].input, family);

        for (size_t k = 0; k < N_ELEMENTS(flag_sets); k++) {
                char *first = save_text(rs, family, flag_sets[k]);
                Ruleset *again = parse(first, family);
                char *second = save_text(again, family, flag_sets[k]);

                assert_same_text(second, first);
                ck_assert_uint_eq(ruleset_count_rules(again), ruleset_count_rules(rs));
                /* and so are the -S and -L texts of the reparsed ruleset (counters only where saved) */
                for (TableType tt = 0; tt < _TABLE_TYPE_MAX; tt++) {
                        const Table *a = ruleset_get_table(rs, family, tt), *b = ruleset_get_table(again, family, tt);
                        unsigned s_flags = flag_sets[k] & PRINT_COUNTERS;
                        unsigned l_flags = flag_sets[k] ? PRINT_VERBOSE : 0;

                        ck_assert_int_eq(!a, !b);
                        if (!a)
                                continue;
                        assert_same_print(a, b, 'S', s_flags);
                        assert_same_print(a, b, 'L', l_flags | PRINT_LINE_NUMBERS);
                        assert_same_print(a, b, 'L', l_flags | PRINT_NUMERIC | PRINT_EXACT);
                }
                /* with counters, the counters survive; without, they are zero */
                if (flag_sets[k] == 0) {
                        char *with = save_text(again, family, PRINT_COUNTERS);
                        for (const char *l = strstr(with, "\n["); l; l = strstr(l + 1, "\n["))
                                ck_assert_msg(strncmp(l, "\n[0:0] -A", 9) == 0, "counters kept without PRINT_COUNTERS");
                        free(with);
                }
                free(first);
                free(second);
                ruleset_free(again);
        }
        ruleset_free(rs);
}
END_TEST

static Suite *print_suite(void) {
        Suite *s = suite_create("ruleset-print");
        TCase *tc;

        tc = tcase_create("list-rules");
        tcase_add_loop_test(tc, test_print, 0, N_ELEMENTS(print_cases));
        tcase_add_test(tc, test_print_errors);
        tcase_add_loop_test(tc, test_counter_format, 0, N_ELEMENTS(counter_cases));
        suite_add_tcase(s, tc);

        tc = tcase_create("save");
        tcase_add_loop_test(tc, test_save, 0, N_ELEMENTS(save_cases));
        tcase_add_test(tc, test_save_family);
        tcase_add_test(tc, test_rule_spec);
        suite_add_tcase(s, tc);

        tc = tcase_create("round-trip");
        tcase_add_loop_test(tc, test_round_trip, 0, N_ELEMENTS(round_trip_cases));
        suite_add_tcase(s, tc);

        return s;
}

int main(void) {
        SRunner *sr = srunner_create(print_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
