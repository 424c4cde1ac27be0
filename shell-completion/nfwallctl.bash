# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# nfwallctl.bash — bash completion for nfwallctl: the options before the
# action, the actions and their options, and the iptables command language
# (-4/-6, -t TABLE, the command letters, the built-in chains of the table).
# Self-contained: it needs no bash-completion helpers, so it also works where
# only this file is sourced. Installed as "nfwallctl" in bash-completion's
# completions directory, which loads it on first use.

_nfwallctl_chains() {
        case $1 in
        nat) echo "PREROUTING INPUT OUTPUT POSTROUTING" ;;
        mangle) echo "PREROUTING INPUT FORWARD OUTPUT POSTROUTING" ;;
        raw) echo "PREROUTING OUTPUT" ;;
        security) echo "INPUT FORWARD OUTPUT" ;;
        *) echo "INPUT FORWARD OUTPUT" ;;
        esac
}

_nfwallctl() {
        local cur=${COMP_WORDS[COMP_CWORD]} prev=
        local actions="start stop restart reload condrestart try-restart status save panic check version import-config help"
        local globals="--socket --timeout --help --version -h"
        local commands="-A -C -D -I -R -P -F -N -X -E -Z -L -S"
        local i=1 action='' w
        [ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
        COMPREPLY=()

        # The options before the action; with '=' in COMP_WORDBREAKS (the
        # default) "--socket=PATH" reaches us as three words.
        while [ "$i" -lt "$COMP_CWORD" ]; do
                w=${COMP_WORDS[i]}
                case $w in
                --socket | --timeout)
                        if [ "${COMP_WORDS[i + 1]:-}" = = ]; then i=$((i + 3)); else i=$((i + 2)); fi
                        ;;
                --socket=* | --timeout=*) i=$((i + 1)) ;;
                *)
                        action=$w
                        break
                        ;;
                esac
        done

        if [ -z "$action" ]; then
                case $prev in
                --socket)
                        compopt -o filenames 2>/dev/null || true
                        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                        return 0
                        ;;
                --timeout) return 0 ;;
                =)
                        case ${COMP_WORDS[COMP_CWORD - 2]:-} in
                        --socket)
                                compopt -o filenames 2>/dev/null || true
                                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                                ;;
                        esac
                        return 0
                        ;;
                esac
                if [[ $cur == -* ]]; then
                        mapfile -t COMPREPLY < <(compgen -W "$globals -4 -6 -t $commands" -- "$cur")
                else
                        mapfile -t COMPREPLY < <(compgen -W "$actions" -- "$cur")
                fi
                return 0
        fi

        case $action in
        -*)
                # The iptables command language: which table, and has a command been given?
                local table=filter cmd='' family="-4 -6" tableopt=-t j
                for ((j = i; j < COMP_CWORD; j++)); do
                        case ${COMP_WORDS[j]} in
                        -t | --table) table=${COMP_WORDS[j + 1]:-filter} tableopt='' ;;
                        -4 | -6 | --ipv4 | --ipv6) family= ;;
                        -A | -C | -D | -I | -R | -P | -F | -N | -X | -E | -Z | -L | -S) cmd=${COMP_WORDS[j]} ;;
                        esac
                done
                case $prev in
                -t | --table)
                        mapfile -t COMPREPLY < <(compgen -W "filter nat mangle raw security" -- "$cur")
                        return 0
                        ;;
                -A | -C | -D | -I | -R | -P | -F | -X | -E | -Z | -L | -S)
                        mapfile -t COMPREPLY < <(compgen -W "$(_nfwallctl_chains "$table")" -- "$cur")
                        return 0
                        ;;
                -N) return 0 ;;
                esac
                if [ "$cmd" = -P ] && [ "${COMP_WORDS[COMP_CWORD - 2]:-}" = -P ]; then
                        mapfile -t COMPREPLY < <(compgen -W "ACCEPT DROP" -- "$cur")
                elif [ -z "$cmd" ] && [[ $cur == -* ]]; then
                        mapfile -t COMPREPLY < <(compgen -W "$family $tableopt $commands" -- "$cur")
                fi
                return 0
                ;;
        status)
                [[ $cur == -* ]] && mapfile -t COMPREPLY < <(compgen -W "-n -v -x --numeric --no-numeric
                        --verbose --no-verbose --exact --line-numbers --no-line-numbers --json --help" -- "$cur")
                ;;
        panic)
                [ "$COMP_CWORD" -eq $((i + 1)) ] && mapfile -t COMPREPLY < <(compgen -W "on off status" -- "$cur")
                ;;
        check)
                if [[ $cur == -* ]]; then
                        mapfile -t COMPREPLY < <(compgen -W "-4 -6 --ipv4 --ipv6 --help" -- "$cur")
                else
                        compopt -o filenames 2>/dev/null || true
                        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                fi
                ;;
        import-config)
                if [[ $cur == -* ]]; then
                        mapfile -t COMPREPLY < <(compgen -W "-o --output --help" -- "$cur")
                else
                        compopt -o filenames 2>/dev/null || true
                        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                fi
                ;;
        help)
                [ "$COMP_CWORD" -eq $((i + 1)) ] && mapfile -t COMPREPLY < <(compgen -W "$actions" -- "$cur")
                ;;
        *)
                [[ $cur == -* ]] && mapfile -t COMPREPLY < <(compgen -W "--help" -- "$cur")
                ;;
        esac
        return 0
}

complete -F _nfwallctl nfwallctl
