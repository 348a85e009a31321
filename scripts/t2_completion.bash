# Bash completion for rt2's t2build, t2conf and t2plugin (sourced by t2_aliases): options,
# component names (tranalyzer2 and the folders of $T2PLHOME), flag names after -D/-G,
# directories after -p, files after -b/-I/--patch, optimisation levels after -O.

# Component names: tranalyzer2, then every plugin crate except the template.
_rt2_names() {
    local d
    printf '%s\n' tranalyzer2
    for d in "${T2PLHOME:-${T2HOME}/plugins}"/*/; do
        d="${d%/}"
        [ -f "${d}/Cargo.toml" ] && [ "${d##*/}" != t2PSkel ] && printf '%s\n' "${d##*/}"
    done
}

# Flag names declared by component $1 and by the core (T2's search list).
_rt2_flags() {
    local comp="$1" files=("${T2HOME}/core/flags.toml")
    [ -n "${comp}" ] && [ "${comp}" != tranalyzer2 ] && files=("${T2PLHOME:-${T2HOME}/plugins}/${comp}/flags.toml" "${files[@]}")
    sed -n 's/^\[\([A-Za-z0-9_]*\)\].*/\1/p' "${files[@]}" 2>/dev/null
}

_rt2_t2build() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    case "${prev}" in
        -p|--plugin-dir) mapfile -t COMPREPLY < <(compgen -d -- "${cur}"); return ;;
        -I|--ignore) mapfile -t COMPREPLY < <(compgen -f -- "${cur}"); return ;;
        -O|-o) mapfile -t COMPREPLY < <(compgen -W "0 g 1 2 3 s" -- "${cur}"); return ;;
        -b|--build) mapfile -t COMPREPLY < <(compgen -f -W "$(_rt2_names)" -- "${cur}"); return ;;
    esac
    if [[ "${cur}" == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "-a --all -b --build -I --ignore -R --rebuild --no-sink -c --clean -d --debug -O --lto -r --configure -f --force -u --unload -e --empty -l --list -p --plugin-dir -y --yes -1 -i --install -L --lazy -X --bypass-lock -h --help" -- "${cur}")
    else
        mapfile -t COMPREPLY < <(compgen -W "$(_rt2_names)" -- "${cur}")
    fi
}

_rt2_t2conf() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" w comp=""
    for w in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
        [[ "${w}" != -* ]] && [[ "${w}" != *=* ]] && comp="${w%/}"
    done
    case "${prev}" in
        -D) compopt -o nospace 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -W "$(_rt2_flags "${comp}" | sed 's/$/=/')" -- "${cur}"); return ;;
        -G) mapfile -t COMPREPLY < <(compgen -W "$(_rt2_flags "${comp}")" -- "${cur}"); return ;;
        --patch|--rpatch) mapfile -t COMPREPLY < <(compgen -f -- "${cur}"); return ;;
        -t) mapfile -t COMPREPLY < <(compgen -d -- "${cur}"); return ;;
    esac
    if [[ "${cur}" == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "-D -G -I --reset -a --all --patch --rpatch --dual -m --monitoring -t -y --yes -v --verbose -h --help" -- "${cur}")
    else
        mapfile -t COMPREPLY < <(compgen -W "$(_rt2_names)" -- "${cur}")
    fi
}

_rt2_t2plugin() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    [[ "${cur}" == -* ]] && mapfile -t COMPREPLY < <(compgen -W "-c -n -s -y --yes -h --help" -- "${cur}")
}

complete -F _rt2_t2build t2build
complete -F _rt2_t2conf t2conf
complete -F _rt2_t2plugin t2plugin
