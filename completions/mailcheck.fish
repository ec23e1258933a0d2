# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mailcheck_global_optspecs
    string join \n zone= resolver= timeout= json color= h/help V/version
end

function __fish_mailcheck_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mailcheck_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mailcheck_using_subcommand
    set -l cmd (__fish_mailcheck_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mailcheck -n "__fish_mailcheck_needs_command" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable). Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_needs_command" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_needs_command" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try' -r
complete -c mailcheck -n "__fish_mailcheck_needs_command" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_needs_command" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -s V -l version -d 'Print version'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -f -a "domain" -d 'Check the mail DNS of one or more domains: MX, PTR, SPF, DKIM, DMARC'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -s s -l selector -d 'DKIM selector to check (repeatable); without it, common selectors are tried' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l ip -d 'An outbound IP that must pass SPF for the domain and have forward-confirmed reverse DNS' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l helo -d 'HELO name to use with --ip (for SPF macros); defaults to the domain' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable). Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l strict -d 'Treat warnings as failures (exit 1)'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand completions" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable). Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand completions" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand completions" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand completions" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand completions" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and not __fish_seen_subcommand_from domain completions help" -f -a "domain" -d 'Check the mail DNS of one or more domains: MX, PTR, SPF, DKIM, DMARC'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and not __fish_seen_subcommand_from domain completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and not __fish_seen_subcommand_from domain completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
