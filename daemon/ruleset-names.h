/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Names of the model's enums, and the built-in name tables that stand in
 * for /etc/protocols and /etc/services: nfwall never asks the name
 * service, so a rules file means the same on every machine.
 */

#include <stdint.h>

#include "ruleset.h"

DECLARE_STRING_TABLE_LOOKUP(family, Family);
DECLARE_STRING_TABLE_LOOKUP(table_type, TableType);
DECLARE_STRING_TABLE_LOOKUP(hook, Hook);
DECLARE_STRING_TABLE_LOOKUP(policy, Policy);

/* Built-in chains of a table, as HOOK_BIT()s. */
unsigned table_type_hooks(TableType t) _const_;

/* "tcp", "6", "ipv6-icmp", "all" (0) ...: protocol number, or -EINVAL. */
int protocol_from_string(const char *s);
/* The name iptables-save prints, or NULL (print the number). */
const char *protocol_to_name(uint8_t proto) _const_;

/* Well-known service name → port, or -ENOENT. proto is 0 for any. */
int service_from_name(const char *name, uint8_t proto);
/* Service name for iptables -L without -n, or NULL. */
const char *service_to_name(uint16_t port, uint8_t proto) _const_;

/* "root" → 0; numeric ids only otherwise (no passwd lookups): -ENOENT. */
int user_from_name(const char *name, uint32_t *ret);
int group_from_name(const char *name, uint32_t *ret);
