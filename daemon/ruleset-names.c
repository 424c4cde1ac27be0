/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ruleset-names: enum ⇄ string tables for the model, and the compiled-in
 * protocol and service names the grammar reads and the printer writes.
 */

#include <stdlib.h>
#include <string.h>

#include "ruleset-names.h"

static const char *const family_table[_FAMILY_MAX] = {
        [FAMILY_IPV4] = "ipv4",
        [FAMILY_IPV6] = "ipv6",
};
DEFINE_STRING_TABLE_LOOKUP(family, Family);

static const char *const table_type_table[_TABLE_TYPE_MAX] = {
        [TABLE_FILTER] = "filter",
        [TABLE_NAT] = "nat",
        [TABLE_MANGLE] = "mangle",
        [TABLE_RAW] = "raw",
        [TABLE_SECURITY] = "security",
};
DEFINE_STRING_TABLE_LOOKUP(table_type, TableType);

static const char *const hook_table[_HOOK_MAX] = {
        [HOOK_PREROUTING] = "PREROUTING",
        [HOOK_INPUT] = "INPUT",
        [HOOK_FORWARD] = "FORWARD",
        [HOOK_OUTPUT] = "OUTPUT",
        [HOOK_POSTROUTING] = "POSTROUTING",
};
DEFINE_STRING_TABLE_LOOKUP(hook, Hook);

static const char *const policy_table[_POLICY_MAX] = {
        [POLICY_ACCEPT] = "ACCEPT",
        [POLICY_DROP] = "DROP",
};
DEFINE_STRING_TABLE_LOOKUP(policy, Policy);

unsigned table_type_hooks(TableType t) {
        switch (t) {
        case TABLE_FILTER:
        case TABLE_SECURITY:
                return HOOK_BIT(HOOK_INPUT) | HOOK_BIT(HOOK_FORWARD) | HOOK_BIT(HOOK_OUTPUT);
        case TABLE_NAT:
                return HOOK_BIT(HOOK_PREROUTING) | HOOK_BIT(HOOK_INPUT) | HOOK_BIT(HOOK_OUTPUT) |
                       HOOK_BIT(HOOK_POSTROUTING);
        case TABLE_MANGLE:
                return HOOK_ANY;
        case TABLE_RAW:
                return HOOK_BIT(HOOK_PREROUTING) | HOOK_BIT(HOOK_OUTPUT);
        case _TABLE_TYPE_MAX:
        case _TABLE_TYPE_INVALID:
                break;
        }
        return 0;
}

typedef struct ProtocolName {
        const char *name;
        uint8_t number;
} ProtocolName;

/*
 * Debian netbase's /etc/protocols, plus the aliases iptables itself knows
 * (xtables_chain_protos: "icmpv6", "mh", "all"). The first name of a
 * number is the one printed, as iptables-save prints getprotobynumber().
 */
static const ProtocolName protocol_names[] = {
        { "ip", 0 }, { "hopopt", 0 }, { "icmp", 1 }, { "igmp", 2 }, { "ggp", 3 },
        { "ipencap", 4 }, { "st", 5 }, { "tcp", 6 }, { "egp", 8 }, { "igp", 9 },
        { "pup", 12 }, { "udp", 17 }, { "hmp", 20 }, { "xns-idp", 22 }, { "rdp", 27 },
        { "iso-tp4", 29 }, { "dccp", 33 }, { "xtp", 36 }, { "ddp", 37 }, { "idpr-cmtp", 38 },
        { "ipv6", 41 }, { "ipv6-route", 43 }, { "ipv6-frag", 44 }, { "idrp", 45 },
        { "rsvp", 46 }, { "gre", 47 }, { "esp", 50 }, { "ah", 51 }, { "skip", 57 },
        { "ipv6-icmp", 58 }, { "icmpv6", 58 }, { "ipv6-nonxt", 59 }, { "ipv6-opts", 60 },
        { "rspf", 73 }, { "vmtp", 81 }, { "eigrp", 88 }, { "ospf", 89 }, { "ax.25", 93 },
        { "ipip", 94 }, { "etherip", 97 }, { "encap", 98 }, { "pim", 103 }, { "ipcomp", 108 },
        { "vrrp", 112 }, { "l2tp", 115 }, { "isis", 124 }, { "sctp", 132 }, { "fc", 133 },
        { "mobility-header", 135 }, { "mh", 135 }, { "ipv6-mh", 135 }, { "udplite", 136 },
        { "mpls-in-ip", 137 }, { "manet", 138 }, { "hip", 139 }, { "shim6", 140 },
        { "wesp", 141 }, { "rohc", 142 }, { "ethernet", 143 },
};

int protocol_from_string(const char *s) {
        char *end;
        unsigned long v;

        if (!s || !*s)
                return -EINVAL;
        if (strcasecmp(s, "all") == 0)
                return 0;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (*s >= '0' && *s <= '9') {
                if (errno || *end || v > 255)
                        return -EINVAL;
                return (int)v;
        }
        /* the common case, spelled as iptables-save spells it */
        if (streq(s, "tcp"))
                return IPPROTO_TCP;
        if (streq(s, "udp"))
                return IPPROTO_UDP;
        for (size_t i = 0; i < ELEMENTSOF(protocol_names); i++)
                if (strcasecmp(protocol_names[i].name, s) == 0)
                        return protocol_names[i].number;
        return -EINVAL;
}

const char *protocol_to_name(uint8_t proto) {
        if (proto == 0)
                return "all";
        for (size_t i = 0; i < ELEMENTSOF(protocol_names); i++)
                if (protocol_names[i].number == proto)
                        return protocol_names[i].name;
        return NULL;
}

enum {
        SVC_TCP = 1 << 0,
        SVC_UDP = 1 << 1,
        SVC_SCTP = 1 << 2,
        SVC_DCCP = 1 << 3,
        SVC_PRIMARY = 1 << 4,
};

typedef struct ServiceName {
        const char *name;
        uint16_t port;
        uint8_t flags;
} ServiceName;

/* Generated from Debian netbase's /etc/services (IANA names), sorted by name for bsearch(). */
static const ServiceName service_names[] = {
        { "Clearcase", 371, SVC_UDP },
        { "acr-nema", 104, SVC_TCP | SVC_PRIMARY },
        { "afpovertcp", 548, SVC_TCP | SVC_PRIMARY },
        { "afs3-bos", 7007, SVC_UDP | SVC_PRIMARY },
        { "afs3-callback", 7001, SVC_UDP | SVC_PRIMARY },
        { "afs3-fileserver", 7000, SVC_UDP | SVC_PRIMARY },
        { "afs3-kaserver", 7004, SVC_UDP | SVC_PRIMARY },
        { "afs3-prserver", 7002, SVC_UDP | SVC_PRIMARY },
        { "afs3-rmtsys", 7009, SVC_UDP | SVC_PRIMARY },
        { "afs3-update", 7008, SVC_UDP | SVC_PRIMARY },
        { "afs3-vlserver", 7003, SVC_UDP | SVC_PRIMARY },
        { "afs3-volser", 7005, SVC_UDP | SVC_PRIMARY },
        { "amanda", 10080, SVC_TCP | SVC_PRIMARY },
        { "amandaidx", 10082, SVC_TCP | SVC_PRIMARY },
        { "amidxtape", 10083, SVC_TCP | SVC_PRIMARY },
        { "amqp", 5672, SVC_SCTP | SVC_TCP | SVC_PRIMARY },
        { "amqps", 5671, SVC_TCP | SVC_PRIMARY },
        { "asf-rmcp", 623, SVC_UDP | SVC_PRIMARY },
        { "asp", 27374, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "auth", 113, SVC_TCP | SVC_PRIMARY },
        { "authentication", 113, SVC_TCP },
        { "babel", 6696, SVC_UDP | SVC_PRIMARY },
        { "bacula-dir", 9101, SVC_TCP | SVC_PRIMARY },
        { "bacula-fd", 9102, SVC_TCP | SVC_PRIMARY },
        { "bacula-sd", 9103, SVC_TCP | SVC_PRIMARY },
        { "bbs", 7000, SVC_TCP | SVC_PRIMARY },
        { "bgp", 179, SVC_TCP | SVC_PRIMARY },
        { "bgpd", 2605, SVC_TCP | SVC_PRIMARY },
        { "biff", 512, SVC_UDP | SVC_PRIMARY },
        { "binkp", 24554, SVC_TCP | SVC_PRIMARY },
        { "bootpc", 68, SVC_UDP | SVC_PRIMARY },
        { "bootps", 67, SVC_UDP | SVC_PRIMARY },
        { "canna", 5680, SVC_TCP | SVC_PRIMARY },
        { "cfengine", 5308, SVC_TCP | SVC_PRIMARY },
        { "chargen", 19, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "cisco-sccp", 2000, SVC_TCP | SVC_PRIMARY },
        { "clc-build-daemon", 8990, SVC_TCP | SVC_PRIMARY },
        { "clearcase", 371, SVC_UDP | SVC_PRIMARY },
        { "cmd", 514, SVC_TCP },
        { "cmip-agent", 164, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "cmip-man", 163, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "codaauth2", 370, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "codasrv", 2432, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "codasrv-se", 2433, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "comsat", 512, SVC_UDP },
        { "csync2", 30865, SVC_TCP | SVC_PRIMARY },
        { "cvspserver", 2401, SVC_TCP | SVC_PRIMARY },
        { "daap", 3689, SVC_TCP | SVC_PRIMARY },
        { "datametrics", 1645, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "daytime", 13, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "db-lsp", 17500, SVC_TCP | SVC_PRIMARY },
        { "dcap", 22125, SVC_TCP | SVC_PRIMARY },
        { "dhcpv6-client", 546, SVC_UDP | SVC_PRIMARY },
        { "dhcpv6-server", 547, SVC_UDP | SVC_PRIMARY },
        { "dicom", 104, SVC_TCP },
        { "dicom", 11112, SVC_TCP | SVC_PRIMARY },
        { "dict", 2628, SVC_TCP | SVC_PRIMARY },
        { "dircproxy", 57000, SVC_TCP | SVC_PRIMARY },
        { "discard", 9, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "distcc", 3632, SVC_TCP | SVC_PRIMARY },
        { "domain", 53, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "domain-s", 853, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "echo", 7, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "epmap", 135, SVC_TCP | SVC_PRIMARY },
        { "epmd", 4369, SVC_TCP | SVC_PRIMARY },
        { "exec", 512, SVC_TCP | SVC_PRIMARY },
        { "f5-globalsite", 2792, SVC_TCP | SVC_PRIMARY },
        { "f5-iquery", 4353, SVC_TCP | SVC_PRIMARY },
        { "fax", 4557, SVC_TCP | SVC_PRIMARY },
        { "fido", 60179, SVC_TCP | SVC_PRIMARY },
        { "finger", 79, SVC_TCP | SVC_PRIMARY },
        { "font-service", 7100, SVC_TCP | SVC_PRIMARY },
        { "freeciv", 5556, SVC_TCP | SVC_PRIMARY },
        { "fsp", 21, SVC_UDP | SVC_PRIMARY },
        { "fspd", 21, SVC_UDP },
        { "ftp", 21, SVC_TCP | SVC_PRIMARY },
        { "ftp-data", 20, SVC_TCP | SVC_PRIMARY },
        { "ftps", 990, SVC_TCP | SVC_PRIMARY },
        { "ftps-data", 989, SVC_TCP | SVC_PRIMARY },
        { "gdomap", 538, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "gds-db", 3050, SVC_TCP | SVC_PRIMARY },
        { "gds_db", 3050, SVC_TCP },
        { "git", 9418, SVC_TCP | SVC_PRIMARY },
        { "gnunet", 2086, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "gnutella-rtr", 6347, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "gnutella-svc", 6346, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "gopher", 70, SVC_TCP | SVC_PRIMARY },
        { "gpsd", 2947, SVC_TCP | SVC_PRIMARY },
        { "gris", 2135, SVC_TCP | SVC_PRIMARY },
        { "groupwise", 1677, SVC_TCP | SVC_PRIMARY },
        { "gsidcap", 22128, SVC_TCP | SVC_PRIMARY },
        { "gsiftp", 2811, SVC_TCP | SVC_PRIMARY },
        { "gsigatekeeper", 2119, SVC_TCP | SVC_PRIMARY },
        { "hkp", 11371, SVC_TCP | SVC_PRIMARY },
        { "hprop", 754, SVC_TCP },
        { "http", 80, SVC_TCP | SVC_PRIMARY },
        { "http-alt", 8080, SVC_TCP | SVC_PRIMARY },
        { "https", 443, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "hylafax", 4559, SVC_TCP | SVC_PRIMARY },
        { "iax", 4569, SVC_UDP | SVC_PRIMARY },
        { "icp", 3130, SVC_UDP },
        { "icpv2", 3130, SVC_UDP | SVC_PRIMARY },
        { "ident", 113, SVC_TCP },
        { "imap", 143, SVC_TCP },
        { "imap2", 143, SVC_TCP | SVC_PRIMARY },
        { "imaps", 993, SVC_TCP | SVC_PRIMARY },
        { "ingreslock", 1524, SVC_TCP | SVC_PRIMARY },
        { "ipp", 631, SVC_TCP | SVC_PRIMARY },
        { "iprop", 2121, SVC_TCP | SVC_PRIMARY },
        { "ipsec-nat-t", 4500, SVC_UDP | SVC_PRIMARY },
        { "ipx", 213, SVC_UDP | SVC_PRIMARY },
        { "ircd", 6667, SVC_TCP | SVC_PRIMARY },
        { "ircs-u", 6697, SVC_TCP | SVC_PRIMARY },
        { "isakmp", 500, SVC_UDP | SVC_PRIMARY },
        { "iscsi-target", 3260, SVC_TCP | SVC_PRIMARY },
        { "isisd", 2608, SVC_TCP | SVC_PRIMARY },
        { "isns", 3205, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "iso-tsap", 102, SVC_TCP | SVC_PRIMARY },
        { "jabber-client", 5222, SVC_TCP },
        { "jabber-server", 5269, SVC_TCP },
        { "kamanda", 10081, SVC_TCP | SVC_PRIMARY },
        { "kdc", 750, SVC_TCP | SVC_UDP },
        { "kerberos", 88, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "kerberos-adm", 749, SVC_TCP | SVC_PRIMARY },
        { "kerberos-iv", 750, SVC_TCP | SVC_UDP },
        { "kerberos-master", 751, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "kerberos-sec", 88, SVC_TCP | SVC_UDP },
        { "kerberos4", 750, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "kerberos5", 88, SVC_TCP | SVC_UDP },
        { "kerberos_master", 751, SVC_UDP },
        { "kermit", 1649, SVC_TCP | SVC_PRIMARY },
        { "klogin", 543, SVC_TCP | SVC_PRIMARY },
        { "kpasswd", 464, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "krb-prop", 754, SVC_TCP | SVC_PRIMARY },
        { "krb5", 88, SVC_TCP | SVC_UDP },
        { "krb5_prop", 754, SVC_TCP },
        { "krb_prop", 754, SVC_TCP },
        { "krcmd", 544, SVC_TCP },
        { "kshell", 544, SVC_TCP | SVC_PRIMARY },
        { "l2f", 1701, SVC_UDP | SVC_PRIMARY },
        { "l2tp", 1701, SVC_UDP },
        { "ldap", 389, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "ldaps", 636, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "ldp", 646, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "loc-srv", 135, SVC_TCP },
        { "login", 513, SVC_TCP | SVC_PRIMARY },
        { "lotusnote", 1352, SVC_TCP | SVC_PRIMARY },
        { "lotusnotes", 1352, SVC_TCP },
        { "lrrd", 4949, SVC_TCP },
        { "mail", 25, SVC_TCP },
        { "mailq", 174, SVC_TCP | SVC_PRIMARY },
        { "mdns", 5353, SVC_UDP | SVC_PRIMARY },
        { "microsoft-ds", 445, SVC_TCP | SVC_PRIMARY },
        { "moira-db", 775, SVC_TCP | SVC_PRIMARY },
        { "moira-update", 777, SVC_TCP | SVC_PRIMARY },
        { "moira-ureg", 779, SVC_UDP | SVC_PRIMARY },
        { "moira_db", 775, SVC_TCP },
        { "moira_update", 777, SVC_TCP },
        { "moira_ureg", 779, SVC_UDP },
        { "mon", 2583, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "ms-sql-m", 1434, SVC_UDP | SVC_PRIMARY },
        { "ms-sql-s", 1433, SVC_TCP | SVC_PRIMARY },
        { "ms-wbt-server", 3389, SVC_TCP | SVC_PRIMARY },
        { "mtn", 4691, SVC_TCP | SVC_PRIMARY },
        { "munin", 4949, SVC_TCP | SVC_PRIMARY },
        { "mysql", 3306, SVC_TCP | SVC_PRIMARY },
        { "mysql-proxy", 6446, SVC_TCP | SVC_PRIMARY },
        { "nbd", 10809, SVC_TCP | SVC_PRIMARY },
        { "netbios-dgm", 138, SVC_UDP | SVC_PRIMARY },
        { "netbios-ns", 137, SVC_UDP | SVC_PRIMARY },
        { "netbios-ssn", 139, SVC_TCP | SVC_PRIMARY },
        { "netstat", 15, SVC_TCP | SVC_PRIMARY },
        { "nfs", 2049, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "nicname", 43, SVC_TCP },
        { "nntp", 119, SVC_TCP | SVC_PRIMARY },
        { "nntps", 563, SVC_TCP | SVC_PRIMARY },
        { "nqs", 607, SVC_TCP | SVC_PRIMARY },
        { "nrpe", 5666, SVC_TCP | SVC_PRIMARY },
        { "nsca", 5667, SVC_TCP | SVC_PRIMARY },
        { "ntalk", 518, SVC_UDP | SVC_PRIMARY },
        { "ntp", 123, SVC_UDP | SVC_PRIMARY },
        { "ntske", 4460, SVC_TCP | SVC_PRIMARY },
        { "null", 9, SVC_TCP | SVC_UDP },
        { "nut", 3493, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "old-radacct", 1646, SVC_TCP | SVC_UDP },
        { "old-radius", 1645, SVC_TCP | SVC_UDP },
        { "omniorb", 8088, SVC_TCP | SVC_PRIMARY },
        { "openvpn", 1194, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "ospf6d", 2606, SVC_TCP | SVC_PRIMARY },
        { "ospfapi", 2607, SVC_TCP | SVC_PRIMARY },
        { "ospfd", 2604, SVC_TCP | SVC_PRIMARY },
        { "passwd-server", 752, SVC_UDP | SVC_PRIMARY },
        { "passwd_server", 752, SVC_UDP },
        { "pawserv", 345, SVC_TCP | SVC_PRIMARY },
        { "pop-3", 110, SVC_TCP },
        { "pop3", 110, SVC_TCP | SVC_PRIMARY },
        { "pop3s", 995, SVC_TCP | SVC_PRIMARY },
        { "poppassd", 106, SVC_TCP | SVC_PRIMARY },
        { "portmapper", 111, SVC_TCP | SVC_UDP },
        { "postgres", 5432, SVC_TCP },
        { "postgresql", 5432, SVC_TCP | SVC_PRIMARY },
        { "predict", 1210, SVC_UDP | SVC_PRIMARY },
        { "printer", 515, SVC_TCP | SVC_PRIMARY },
        { "proofd", 1093, SVC_TCP | SVC_PRIMARY },
        { "ptp-event", 319, SVC_UDP | SVC_PRIMARY },
        { "ptp-general", 320, SVC_UDP | SVC_PRIMARY },
        { "puppet", 8140, SVC_TCP | SVC_PRIMARY },
        { "qmqp", 628, SVC_TCP | SVC_PRIMARY },
        { "qmtp", 209, SVC_TCP | SVC_PRIMARY },
        { "qotd", 17, SVC_TCP | SVC_PRIMARY },
        { "quote", 17, SVC_TCP },
        { "radacct", 1813, SVC_TCP | SVC_UDP },
        { "radius", 1812, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "radius-acct", 1813, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "radmin-port", 4899, SVC_TCP | SVC_PRIMARY },
        { "readnews", 119, SVC_TCP },
        { "redis", 6379, SVC_TCP | SVC_PRIMARY },
        { "remctl", 4373, SVC_TCP | SVC_PRIMARY },
        { "ripd", 2602, SVC_TCP | SVC_PRIMARY },
        { "ripngd", 2603, SVC_TCP | SVC_PRIMARY },
        { "rmiregistry", 1099, SVC_TCP | SVC_PRIMARY },
        { "rmtcfg", 1236, SVC_TCP | SVC_PRIMARY },
        { "rootd", 1094, SVC_TCP | SVC_PRIMARY },
        { "route", 520, SVC_UDP | SVC_PRIMARY },
        { "routed", 520, SVC_UDP },
        { "router", 520, SVC_UDP },
        { "rpc2portmap", 369, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "rplay", 5555, SVC_UDP | SVC_PRIMARY },
        { "rptp", 5556, SVC_TCP },
        { "rsync", 873, SVC_TCP | SVC_PRIMARY },
        { "rtcm-sc104", 2101, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "rtsp", 554, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "sa-msg-port", 1646, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "saft", 487, SVC_TCP | SVC_PRIMARY },
        { "sane", 6566, SVC_TCP },
        { "sane-port", 6566, SVC_TCP | SVC_PRIMARY },
        { "saned", 6566, SVC_TCP },
        { "sge-execd", 6445, SVC_TCP | SVC_PRIMARY },
        { "sge-qmaster", 6444, SVC_TCP | SVC_PRIMARY },
        { "sge_execd", 6445, SVC_TCP },
        { "sge_qmaster", 6444, SVC_TCP },
        { "sgi-cad", 17004, SVC_TCP | SVC_PRIMARY },
        { "sgi-cmsd", 17001, SVC_UDP | SVC_PRIMARY },
        { "sgi-crsd", 17002, SVC_UDP | SVC_PRIMARY },
        { "sgi-gcd", 17003, SVC_UDP | SVC_PRIMARY },
        { "shell", 514, SVC_TCP | SVC_PRIMARY },
        { "sieve", 4190, SVC_TCP | SVC_PRIMARY },
        { "silc", 706, SVC_TCP | SVC_PRIMARY },
        { "sink", 9, SVC_TCP | SVC_UDP },
        { "sip", 5060, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "sip-tls", 5061, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "skkserv", 1178, SVC_TCP | SVC_PRIMARY },
        { "smtp", 25, SVC_TCP | SVC_PRIMARY },
        { "smtps", 465, SVC_TCP },
        { "smux", 199, SVC_TCP | SVC_PRIMARY },
        { "snmp", 161, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "snmp-trap", 162, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "snmptrap", 162, SVC_TCP | SVC_UDP },
        { "snntp", 563, SVC_TCP },
        { "snpp", 444, SVC_TCP | SVC_PRIMARY },
        { "socks", 1080, SVC_TCP | SVC_PRIMARY },
        { "source", 19, SVC_TCP | SVC_UDP },
        { "spamd", 783, SVC_TCP | SVC_PRIMARY },
        { "spooler", 515, SVC_TCP },
        { "ssh", 22, SVC_TCP | SVC_PRIMARY },
        { "ssmtp", 465, SVC_TCP },
        { "submission", 587, SVC_TCP | SVC_PRIMARY },
        { "submissions", 465, SVC_TCP | SVC_PRIMARY },
        { "subversion", 3690, SVC_TCP },
        { "sunrpc", 111, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "supfiledbg", 1127, SVC_TCP | SVC_PRIMARY },
        { "supfilesrv", 871, SVC_TCP | SVC_PRIMARY },
        { "suucp", 4031, SVC_TCP | SVC_PRIMARY },
        { "svn", 3690, SVC_TCP | SVC_PRIMARY },
        { "svrloc", 427, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "syslog", 514, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "syslog-tls", 6514, SVC_TCP | SVC_PRIMARY },
        { "sysrqd", 4094, SVC_TCP | SVC_PRIMARY },
        { "systat", 11, SVC_TCP | SVC_PRIMARY },
        { "tacacs", 49, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "talk", 517, SVC_UDP | SVC_PRIMARY },
        { "tap", 113, SVC_TCP },
        { "tcpmux", 1, SVC_TCP | SVC_PRIMARY },
        { "telnet", 23, SVC_TCP | SVC_PRIMARY },
        { "telnets", 992, SVC_TCP | SVC_PRIMARY },
        { "tfido", 60177, SVC_TCP | SVC_PRIMARY },
        { "tftp", 69, SVC_UDP | SVC_PRIMARY },
        { "time", 37, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "timserver", 37, SVC_TCP | SVC_UDP },
        { "tinc", 655, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "tproxy", 8081, SVC_TCP | SVC_PRIMARY },
        { "tsap", 102, SVC_TCP },
        { "ttytst", 19, SVC_TCP | SVC_UDP },
        { "untp", 119, SVC_TCP },
        { "urd", 465, SVC_TCP },
        { "users", 11, SVC_TCP },
        { "uucp", 540, SVC_TCP | SVC_PRIMARY },
        { "uucpd", 540, SVC_TCP },
        { "venus", 2430, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "venus-se", 2431, SVC_TCP | SVC_UDP | SVC_PRIMARY },
        { "wais", 210, SVC_TCP },
        { "webcache", 8080, SVC_TCP },
        { "webmin", 10000, SVC_TCP | SVC_PRIMARY },
        { "who", 513, SVC_UDP | SVC_PRIMARY },
        { "whod", 513, SVC_UDP },
        { "whois", 43, SVC_TCP | SVC_PRIMARY },
        { "wnn6", 22273, SVC_TCP | SVC_PRIMARY },
        { "www", 80, SVC_TCP },
        { "x11", 6000, SVC_TCP | SVC_PRIMARY },
        { "x11-0", 6000, SVC_TCP },
        { "x11-1", 6001, SVC_TCP | SVC_PRIMARY },
        { "x11-2", 6002, SVC_TCP | SVC_PRIMARY },
        { "x11-3", 6003, SVC_TCP | SVC_PRIMARY },
        { "x11-4", 6004, SVC_TCP | SVC_PRIMARY },
        { "x11-5", 6005, SVC_TCP | SVC_PRIMARY },
        { "x11-6", 6006, SVC_TCP | SVC_PRIMARY },
        { "x11-7", 6007, SVC_TCP | SVC_PRIMARY },
        { "xdmcp", 177, SVC_UDP | SVC_PRIMARY },
        { "xfs", 7100, SVC_TCP },
        { "xinetd", 9098, SVC_TCP | SVC_PRIMARY },
        { "xmms2", 9667, SVC_TCP | SVC_PRIMARY },
        { "xmpp-client", 5222, SVC_TCP | SVC_PRIMARY },
        { "xmpp-server", 5269, SVC_TCP | SVC_PRIMARY },
        { "xtel", 1313, SVC_TCP | SVC_PRIMARY },
        { "xtelw", 1314, SVC_TCP | SVC_PRIMARY },
        { "z3950", 210, SVC_TCP | SVC_PRIMARY },
        { "zabbix-agent", 10050, SVC_TCP | SVC_PRIMARY },
        { "zabbix-trapper", 10051, SVC_TCP | SVC_PRIMARY },
        { "zebra", 2601, SVC_TCP | SVC_PRIMARY },
        { "zebrasrv", 2600, SVC_TCP | SVC_PRIMARY },
        { "zephyr-clt", 2103, SVC_UDP | SVC_PRIMARY },
        { "zephyr-hm", 2104, SVC_UDP | SVC_PRIMARY },
        { "zephyr-srv", 2102, SVC_UDP | SVC_PRIMARY },
        { "zope", 9673, SVC_TCP | SVC_PRIMARY },
        { "zope-ftp", 8021, SVC_TCP | SVC_PRIMARY },
        { "zserv", 346, SVC_TCP | SVC_PRIMARY },
};

static unsigned service_proto_flag(uint8_t proto) {
        switch (proto) {
        case IPPROTO_TCP:
                return SVC_TCP;
        case IPPROTO_UDP:
        case IPPROTO_UDPLITE:
                return SVC_UDP;
        case IPPROTO_SCTP:
                return SVC_SCTP;
        case IPPROTO_DCCP:
                return SVC_DCCP;
        default:
                return SVC_TCP | SVC_UDP | SVC_SCTP | SVC_DCCP;
        }
}

static int service_compare(const void *key, const void *elem) {
        return strcmp(key, ((const ServiceName *)elem)->name);
}

int service_from_name(const char *name, uint8_t proto) {
        unsigned want = service_proto_flag(proto);
        const ServiceName *s;

        s = bsearch(name, service_names, ELEMENTSOF(service_names), sizeof(ServiceName), service_compare);
        if (!s)
                return -ENOENT;
        /* A name may stand for different ports; walk all entries of that name. */
        while (s > service_names && streq(s[-1].name, name))
                s--;
        for (; s < service_names + ELEMENTSOF(service_names) && streq(s->name, name); s++)
                if (s->flags & want)
                        return s->port;
        return -ENOENT;
}

const char *service_to_name(uint16_t port, uint8_t proto) {
        unsigned want = service_proto_flag(proto);

        for (size_t i = 0; i < ELEMENTSOF(service_names); i++)
                if (service_names[i].port == port && (service_names[i].flags & SVC_PRIMARY) &&
                    (service_names[i].flags & want))
                        return service_names[i].name;
        return NULL;
}

static int id_from_name(const char *name, uint32_t *ret) {
        if (streq(name, "root")) {
                *ret = 0;
                return 0;
        }
        return -ENOENT;
}

int user_from_name(const char *name, uint32_t *ret) {
        return id_from_name(name, ret);
}

int group_from_name(const char *name, uint32_t *ret) {
        return id_from_name(name, ret);
}
