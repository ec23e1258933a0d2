# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mailcheck_global_optspecs
    string join \n zone= resolver= timeout= deadline= save-zone= force json format= color= h/help V/version
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

complete -c mailcheck -n "__fish_mailcheck_needs_command" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable); NAME=FILE gives the zone\'s name to a file without $ORIGIN or SOA at the top. Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_needs_command" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_needs_command" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try (for smtp: also for each step of the SMTP conversation; for domain and mta-sts: also for each HTTPS fetch as a whole)' -r
complete -c mailcheck -n "__fish_mailcheck_needs_command" -l deadline -d 'Seconds the whole run may take; checks still unfinished then report status error (exit 3)' -r
complete -c mailcheck -n "__fish_mailcheck_needs_command" -l save-zone -d 'Write every DNS answer this run used to FILE, as a master file that --zone FILE replays offline with the same results (written at the end of the run; failed lookups are kept as mailcheck\'s $FAIL directive)' -r -F
complete -c mailcheck -n "__fish_mailcheck_needs_command" -l format -d 'How to print the results: text (the report), json (JSON Lines), sarif (one SARIF 2.1.0 log for the run, for code scanning), junit (one JUnit XML document, for CI test reports). The exit status is the same in every format' -r -f -a "text\t'The human report'
json\t'One JSON object per checked item (JSON Lines)'
sarif\t'One SARIF 2.1.0 log for the whole run: a result per finding that is not a pass'
junit\t'One JUnit XML document: a test suite per domain or message, a test case per finding'"
complete -c mailcheck -n "__fish_mailcheck_needs_command" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_needs_command" -l force -d 'Replace the --save-zone file if it exists'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report: short for --format json'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -s V -l version -d 'Print version'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -f -a "domain" -d 'Check the mail DNS of one or more domains: MX, PTR, SPF, DKIM, DMARC'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -f -a "check" -d 'Check domains against a mailcheck.toml (for CI): every check of `domain`, plus the senders, selectors, key sizes, DMARC policy and MX hosts the file expects, with its accepted exceptions'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -f -a "verify" -d 'Would a receiver accept this message from this IP? Every DKIM signature, SPF, ARC, DMARC alignment and the disposition'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -f -a "spf" -d 'Analyse a domain\'s SPF record (include tree, lookup counts), and with --ip evaluate check_host() for that IP'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -f -a "dkim" -d 'Check a DKIM key record; or generate a key pair, or sign a message'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -f -a "dmarc" -d 'Find the DMARC policy that applies to a domain and explain every tag'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -f -a "smtp" -d 'Probe a domain\'s MX hosts (or one host) over SMTP: greeting, EHLO, STARTTLS, TLS version and cipher, the certificate, and PTR. Exit 3 when port 25 cannot be reached'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -f -a "mta-sts" -d 'Check MTA-STS (RFC 8461): the _mta-sts TXT record, the policy fetched over HTTPS from mta-sts.DOMAIN, and whether it covers every MX host'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -f -a "serve" -d 'Receive mail over SMTP and authenticate each message as it arrives: SPF at MAIL FROM, DKIM, ARC and DMARC at the end of DATA, the verdict written into the message and printed, one line per message'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -f -a "explain" -d 'Explain a finding name: what it checks, why it matters, the RFC sections, how to fix it and an example of a good record'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -f -a "man" -d 'Write the man pages (mailcheck.1 and a mailcheck-COMMAND.1 for each command) into DIR, e.g. /usr/local/share/man/man1'
complete -c mailcheck -n "__fish_mailcheck_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -s s -l selector -d 'DKIM selector to check (repeatable); without it, common selectors are tried' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l ip -d 'An outbound IP that must pass SPF for the domain and have forward-confirmed reverse DNS' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l helo -d 'HELO/EHLO string to use with --ip, exactly as a client sent it (any text, e.g. "[192.0.2.1]"): SPF\'s %{h}; defaults to the domain' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l trust-anchor -d 'DNSSEC trust anchor: DS or DNSKEY records of one zone, in zone-file form (a dsset- or K*.key file); default: the IANA root keys' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l ca -d 'Trust the CA certificates in this PEM file instead of the public (Mozilla) roots for HTTPS fetches (the MTA-STS policy, the BIMI logo)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l connect-to -d 'Connect to ADDR:PORT whenever HOST:PORT is to be reached over HTTPS (as curl\'s --connect-to; an empty HOST or PORT matches any). Repeatable. Certificates are still checked against HOST' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l from-file -d 'Read domains from this file (one a line; - for standard input)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l concurrency -d 'How many domains to check at once' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable); NAME=FILE gives the zone\'s name to a file without $ORIGIN or SOA at the top. Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try (for smtp: also for each step of the SMTP conversation; for domain and mta-sts: also for each HTTPS fetch as a whole)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l deadline -d 'Seconds the whole run may take; checks still unfinished then report status error (exit 3)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l save-zone -d 'Write every DNS answer this run used to FILE, as a master file that --zone FILE replays offline with the same results (written at the end of the run; failed lookups are kept as mailcheck\'s $FAIL directive)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l format -d 'How to print the results: text (the report), json (JSON Lines), sarif (one SARIF 2.1.0 log for the run, for code scanning), junit (one JUnit XML document, for CI test reports). The exit status is the same in every format' -r -f -a "text\t'The human report'
json\t'One JSON object per checked item (JSON Lines)'
sarif\t'One SARIF 2.1.0 log for the whole run: a result per finding that is not a pass'
junit\t'One JUnit XML document: a test suite per domain or message, a test case per finding'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l strict -d 'Treat warnings as failures (exit 1)'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l force -d 'Replace the --save-zone file if it exists'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report: short for --format json'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand domain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand check" -s c -l config -d 'The expectations file (TOML; docs/interface.md describes it)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand check" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable); NAME=FILE gives the zone\'s name to a file without $ORIGIN or SOA at the top. Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand check" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand check" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try (for smtp: also for each step of the SMTP conversation; for domain and mta-sts: also for each HTTPS fetch as a whole)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand check" -l deadline -d 'Seconds the whole run may take; checks still unfinished then report status error (exit 3)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand check" -l save-zone -d 'Write every DNS answer this run used to FILE, as a master file that --zone FILE replays offline with the same results (written at the end of the run; failed lookups are kept as mailcheck\'s $FAIL directive)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand check" -l format -d 'How to print the results: text (the report), json (JSON Lines), sarif (one SARIF 2.1.0 log for the run, for code scanning), junit (one JUnit XML document, for CI test reports). The exit status is the same in every format' -r -f -a "text\t'The human report'
json\t'One JSON object per checked item (JSON Lines)'
sarif\t'One SARIF 2.1.0 log for the whole run: a result per finding that is not a pass'
junit\t'One JUnit XML document: a test suite per domain or message, a test case per finding'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand check" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand check" -l strict -d 'Treat warnings as failures (exit 1)'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand check" -l force -d 'Replace the --save-zone file if it exists'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand check" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report: short for --format json'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand verify" -l ip -d 'The IP address the message arrived from' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand verify" -l helo -d 'The HELO/EHLO string the client sent, exactly as sent (any text). SPF checks it when there is no MAIL FROM; one that is not a domain name (e.g. "[192.0.2.1]") gives SPF none (RFC 7208 2.3)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand verify" -l mail-from -d 'The SMTP MAIL FROM address; defaults to the message\'s Return-Path' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand verify" -l authserv-id -d 'The receiver\'s name in the Authentication-Results header (default: this host\'s name)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand verify" -l from-file -d 'Read messages from this file, one a line: PATH [IP [HELO [MAIL-FROM]]] (missing fields fall back to --ip, --helo, --mail-from)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand verify" -l concurrency -d 'How many messages to verify at once' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand verify" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable); NAME=FILE gives the zone\'s name to a file without $ORIGIN or SOA at the top. Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand verify" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand verify" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try (for smtp: also for each step of the SMTP conversation; for domain and mta-sts: also for each HTTPS fetch as a whole)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand verify" -l deadline -d 'Seconds the whole run may take; checks still unfinished then report status error (exit 3)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand verify" -l save-zone -d 'Write every DNS answer this run used to FILE, as a master file that --zone FILE replays offline with the same results (written at the end of the run; failed lookups are kept as mailcheck\'s $FAIL directive)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand verify" -l format -d 'How to print the results: text (the report), json (JSON Lines), sarif (one SARIF 2.1.0 log for the run, for code scanning), junit (one JUnit XML document, for CI test reports). The exit status is the same in every format' -r -f -a "text\t'The human report'
json\t'One JSON object per checked item (JSON Lines)'
sarif\t'One SARIF 2.1.0 log for the whole run: a result per finding that is not a pass'
junit\t'One JUnit XML document: a test suite per domain or message, a test case per finding'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand verify" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand verify" -l force -d 'Replace the --save-zone file if it exists'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand verify" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report: short for --format json'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand spf" -l ip -d 'Evaluate check_host() for this IP: pass required for exit 0' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand spf" -l helo -d 'HELO/EHLO string for SPF\'s %{h}, exactly as a client sent it (any text, e.g. "[192.0.2.1]"); defaults to the domain' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand spf" -l from-file -d 'Read checks from this file, one a line: IDENTITY IP [HELO]' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand spf" -l concurrency -d 'How many checks to run at once' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand spf" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable); NAME=FILE gives the zone\'s name to a file without $ORIGIN or SOA at the top. Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand spf" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand spf" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try (for smtp: also for each step of the SMTP conversation; for domain and mta-sts: also for each HTTPS fetch as a whole)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand spf" -l deadline -d 'Seconds the whole run may take; checks still unfinished then report status error (exit 3)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand spf" -l save-zone -d 'Write every DNS answer this run used to FILE, as a master file that --zone FILE replays offline with the same results (written at the end of the run; failed lookups are kept as mailcheck\'s $FAIL directive)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand spf" -l format -d 'How to print the results: text (the report), json (JSON Lines), sarif (one SARIF 2.1.0 log for the run, for code scanning), junit (one JUnit XML document, for CI test reports). The exit status is the same in every format' -r -f -a "text\t'The human report'
json\t'One JSON object per checked item (JSON Lines)'
sarif\t'One SARIF 2.1.0 log for the whole run: a result per finding that is not a pass'
junit\t'One JUnit XML document: a test suite per domain or message, a test case per finding'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand spf" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand spf" -l force -d 'Replace the --save-zone file if it exists'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand spf" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report: short for --format json'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand spf" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and not __fish_seen_subcommand_from keygen sign help" -s s -l selector -d 'The selector (repeatable)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and not __fish_seen_subcommand_from keygen sign help" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable); NAME=FILE gives the zone\'s name to a file without $ORIGIN or SOA at the top. Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and not __fish_seen_subcommand_from keygen sign help" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and not __fish_seen_subcommand_from keygen sign help" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try (for smtp: also for each step of the SMTP conversation; for domain and mta-sts: also for each HTTPS fetch as a whole)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and not __fish_seen_subcommand_from keygen sign help" -l deadline -d 'Seconds the whole run may take; checks still unfinished then report status error (exit 3)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and not __fish_seen_subcommand_from keygen sign help" -l save-zone -d 'Write every DNS answer this run used to FILE, as a master file that --zone FILE replays offline with the same results (written at the end of the run; failed lookups are kept as mailcheck\'s $FAIL directive)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and not __fish_seen_subcommand_from keygen sign help" -l format -d 'How to print the results: text (the report), json (JSON Lines), sarif (one SARIF 2.1.0 log for the run, for code scanning), junit (one JUnit XML document, for CI test reports). The exit status is the same in every format' -r -f -a "text\t'The human report'
json\t'One JSON object per checked item (JSON Lines)'
sarif\t'One SARIF 2.1.0 log for the whole run: a result per finding that is not a pass'
junit\t'One JUnit XML document: a test suite per domain or message, a test case per finding'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and not __fish_seen_subcommand_from keygen sign help" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and not __fish_seen_subcommand_from keygen sign help" -l force -d 'Replace the --save-zone file if it exists'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and not __fish_seen_subcommand_from keygen sign help" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report: short for --format json'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and not __fish_seen_subcommand_from keygen sign help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and not __fish_seen_subcommand_from keygen sign help" -a "keygen" -d 'Generate a DKIM key pair: the private key to a file (mode 0600), the TXT record to publish on standard output'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and not __fish_seen_subcommand_from keygen sign help" -a "sign" -d 'Sign a message with a private key; the signed message goes to standard output or --out'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and not __fish_seen_subcommand_from keygen sign help" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from keygen" -l domain -d 'The signing domain (d=)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from keygen" -l selector -d 'The selector (s=); the record goes at S._domainkey.D' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from keygen" -l algorithm -d 'Key algorithm' -r -f -a "rsa-2048\t'RSA, 2048 bits: the usual choice (RFC 8301)'
rsa-3072\t'RSA, 3072 bits'
rsa-4096\t'RSA, 4096 bits: the record needs several TXT strings'
ed25519\t'Ed25519 (RFC 8463): not yet verified by every receiver'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from keygen" -l out -d 'Where to write the private key (PKCS#8 PEM, mode 0600)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from keygen" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable); NAME=FILE gives the zone\'s name to a file without $ORIGIN or SOA at the top. Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from keygen" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from keygen" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try (for smtp: also for each step of the SMTP conversation; for domain and mta-sts: also for each HTTPS fetch as a whole)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from keygen" -l deadline -d 'Seconds the whole run may take; checks still unfinished then report status error (exit 3)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from keygen" -l save-zone -d 'Write every DNS answer this run used to FILE, as a master file that --zone FILE replays offline with the same results (written at the end of the run; failed lookups are kept as mailcheck\'s $FAIL directive)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from keygen" -l format -d 'How to print the results: text (the report), json (JSON Lines), sarif (one SARIF 2.1.0 log for the run, for code scanning), junit (one JUnit XML document, for CI test reports). The exit status is the same in every format' -r -f -a "text\t'The human report'
json\t'One JSON object per checked item (JSON Lines)'
sarif\t'One SARIF 2.1.0 log for the whole run: a result per finding that is not a pass'
junit\t'One JUnit XML document: a test suite per domain or message, a test case per finding'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from keygen" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from keygen" -l force -d 'Replace the file if it exists'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from keygen" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report: short for --format json'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from keygen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from sign" -l key -d 'The private key (PKCS#8 or PKCS#1 PEM)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from sign" -l domain -d 'The signing domain (d=)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from sign" -l selector -d 'The selector (s=)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from sign" -l headers -d 'Header fields to sign, separated by colons or commas (must include From)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from sign" -l out -d 'Write the signed message here instead of standard output' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from sign" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable); NAME=FILE gives the zone\'s name to a file without $ORIGIN or SOA at the top. Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from sign" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from sign" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try (for smtp: also for each step of the SMTP conversation; for domain and mta-sts: also for each HTTPS fetch as a whole)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from sign" -l deadline -d 'Seconds the whole run may take; checks still unfinished then report status error (exit 3)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from sign" -l save-zone -d 'Write every DNS answer this run used to FILE, as a master file that --zone FILE replays offline with the same results (written at the end of the run; failed lookups are kept as mailcheck\'s $FAIL directive)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from sign" -l format -d 'How to print the results: text (the report), json (JSON Lines), sarif (one SARIF 2.1.0 log for the run, for code scanning), junit (one JUnit XML document, for CI test reports). The exit status is the same in every format' -r -f -a "text\t'The human report'
json\t'One JSON object per checked item (JSON Lines)'
sarif\t'One SARIF 2.1.0 log for the whole run: a result per finding that is not a pass'
junit\t'One JUnit XML document: a test suite per domain or message, a test case per finding'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from sign" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from sign" -l force -d 'Replace --out if it exists'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from sign" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report: short for --format json'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from sign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from help" -f -a "keygen" -d 'Generate a DKIM key pair: the private key to a file (mode 0600), the TXT record to publish on standard output'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from help" -f -a "sign" -d 'Sign a message with a private key; the signed message goes to standard output or --out'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dkim; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dmarc" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable); NAME=FILE gives the zone\'s name to a file without $ORIGIN or SOA at the top. Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dmarc" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dmarc" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try (for smtp: also for each step of the SMTP conversation; for domain and mta-sts: also for each HTTPS fetch as a whole)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dmarc" -l deadline -d 'Seconds the whole run may take; checks still unfinished then report status error (exit 3)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dmarc" -l save-zone -d 'Write every DNS answer this run used to FILE, as a master file that --zone FILE replays offline with the same results (written at the end of the run; failed lookups are kept as mailcheck\'s $FAIL directive)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dmarc" -l format -d 'How to print the results: text (the report), json (JSON Lines), sarif (one SARIF 2.1.0 log for the run, for code scanning), junit (one JUnit XML document, for CI test reports). The exit status is the same in every format' -r -f -a "text\t'The human report'
json\t'One JSON object per checked item (JSON Lines)'
sarif\t'One SARIF 2.1.0 log for the whole run: a result per finding that is not a pass'
junit\t'One JUnit XML document: a test suite per domain or message, a test case per finding'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dmarc" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dmarc" -l force -d 'Replace the --save-zone file if it exists'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dmarc" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report: short for --format json'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand dmarc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand smtp" -l ca -d 'Trust the CA certificates in this PEM file instead of the public (Mozilla) roots, e.g. for a private CA' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand smtp" -l connect-to -d 'Connect to ADDR:PORT whenever HOST:PORT is to be reached (as curl\'s --connect-to; an empty HOST or PORT matches any). Repeatable. Names and certificates are still checked against HOST' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand smtp" -l ehlo -d 'The name to send in EHLO (default: this host\'s name)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand smtp" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable); NAME=FILE gives the zone\'s name to a file without $ORIGIN or SOA at the top. Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand smtp" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand smtp" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try (for smtp: also for each step of the SMTP conversation; for domain and mta-sts: also for each HTTPS fetch as a whole)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand smtp" -l deadline -d 'Seconds the whole run may take; checks still unfinished then report status error (exit 3)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand smtp" -l save-zone -d 'Write every DNS answer this run used to FILE, as a master file that --zone FILE replays offline with the same results (written at the end of the run; failed lookups are kept as mailcheck\'s $FAIL directive)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand smtp" -l format -d 'How to print the results: text (the report), json (JSON Lines), sarif (one SARIF 2.1.0 log for the run, for code scanning), junit (one JUnit XML document, for CI test reports). The exit status is the same in every format' -r -f -a "text\t'The human report'
json\t'One JSON object per checked item (JSON Lines)'
sarif\t'One SARIF 2.1.0 log for the whole run: a result per finding that is not a pass'
junit\t'One JUnit XML document: a test suite per domain or message, a test case per finding'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand smtp" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand smtp" -l force -d 'Replace the --save-zone file if it exists'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand smtp" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report: short for --format json'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand smtp" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand mta-sts" -l ca -d 'Trust the CA certificates in this PEM file instead of the public (Mozilla) roots for HTTPS fetches (the MTA-STS policy, the BIMI logo)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand mta-sts" -l connect-to -d 'Connect to ADDR:PORT whenever HOST:PORT is to be reached over HTTPS (as curl\'s --connect-to; an empty HOST or PORT matches any). Repeatable. Certificates are still checked against HOST' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand mta-sts" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable); NAME=FILE gives the zone\'s name to a file without $ORIGIN or SOA at the top. Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand mta-sts" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand mta-sts" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try (for smtp: also for each step of the SMTP conversation; for domain and mta-sts: also for each HTTPS fetch as a whole)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand mta-sts" -l deadline -d 'Seconds the whole run may take; checks still unfinished then report status error (exit 3)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand mta-sts" -l save-zone -d 'Write every DNS answer this run used to FILE, as a master file that --zone FILE replays offline with the same results (written at the end of the run; failed lookups are kept as mailcheck\'s $FAIL directive)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand mta-sts" -l format -d 'How to print the results: text (the report), json (JSON Lines), sarif (one SARIF 2.1.0 log for the run, for code scanning), junit (one JUnit XML document, for CI test reports). The exit status is the same in every format' -r -f -a "text\t'The human report'
json\t'One JSON object per checked item (JSON Lines)'
sarif\t'One SARIF 2.1.0 log for the whole run: a result per finding that is not a pass'
junit\t'One JUnit XML document: a test suite per domain or message, a test case per finding'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand mta-sts" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand mta-sts" -l strict -d 'Treat warnings as failures (exit 1)'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand mta-sts" -l force -d 'Replace the --save-zone file if it exists'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand mta-sts" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report: short for --format json'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand mta-sts" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l listen -d 'Listen for SMTP on this address and port (e.g. 127.0.0.1:2525, [::]:25)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l listen-tls -d 'Also listen for implicit TLS (RFC 8314, port 465 in production); needs --tls-cert and --tls-key' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l tls-cert -d 'PEM certificate chain: offers STARTTLS (RFC 3207)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l tls-key -d 'PEM private key for --tls-cert' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l maildir -d 'Store each accepted message in this Maildir (tmp/, new/, cur/ are created). Without it, messages are acknowledged with 250 and not stored' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l authserv-id -d 'This server\'s name: the greeting, the Received line and the Authentication-Results authserv-id (default: this host\'s name)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l max-size -d 'The largest message accepted, in bytes (advertised as SIZE)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l max-connections -d 'Connections served at once; more are answered 421 and closed' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l idle-timeout -d 'How long to wait for the client\'s next command, next line of data or TLS handshake before answering 421 and closing (RFC 5321 4.5.3.2: at least 5 minutes on the Internet)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l grace -d 'After SIGTERM or SIGINT, how long transactions in progress may take to finish before the server exits' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable); NAME=FILE gives the zone\'s name to a file without $ORIGIN or SOA at the top. Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try (for smtp: also for each step of the SMTP conversation; for domain and mta-sts: also for each HTTPS fetch as a whole)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l deadline -d 'Seconds the whole run may take; checks still unfinished then report status error (exit 3)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l save-zone -d 'Write every DNS answer this run used to FILE, as a master file that --zone FILE replays offline with the same results (written at the end of the run; failed lookups are kept as mailcheck\'s $FAIL directive)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l format -d 'How to print the results: text (the report), json (JSON Lines), sarif (one SARIF 2.1.0 log for the run, for code scanning), junit (one JUnit XML document, for CI test reports). The exit status is the same in every format' -r -f -a "text\t'The human report'
json\t'One JSON object per checked item (JSON Lines)'
sarif\t'One SARIF 2.1.0 log for the whole run: a result per finding that is not a pass'
junit\t'One JUnit XML document: a test suite per domain or message, a test case per finding'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l enforce -d 'Apply the DMARC disposition: reject is refused with 550 5.7.1 at the end of DATA (nothing stored); quarantine is stored in the Maildir\'s .Quarantine folder'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l force -d 'Replace the --save-zone file if it exists'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report: short for --format json'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand completions" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable); NAME=FILE gives the zone\'s name to a file without $ORIGIN or SOA at the top. Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand completions" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand completions" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try (for smtp: also for each step of the SMTP conversation; for domain and mta-sts: also for each HTTPS fetch as a whole)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand completions" -l deadline -d 'Seconds the whole run may take; checks still unfinished then report status error (exit 3)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand completions" -l save-zone -d 'Write every DNS answer this run used to FILE, as a master file that --zone FILE replays offline with the same results (written at the end of the run; failed lookups are kept as mailcheck\'s $FAIL directive)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand completions" -l format -d 'How to print the results: text (the report), json (JSON Lines), sarif (one SARIF 2.1.0 log for the run, for code scanning), junit (one JUnit XML document, for CI test reports). The exit status is the same in every format' -r -f -a "text\t'The human report'
json\t'One JSON object per checked item (JSON Lines)'
sarif\t'One SARIF 2.1.0 log for the whole run: a result per finding that is not a pass'
junit\t'One JUnit XML document: a test suite per domain or message, a test case per finding'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand completions" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand completions" -l force -d 'Replace the --save-zone file if it exists'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand completions" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report: short for --format json'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand explain" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable); NAME=FILE gives the zone\'s name to a file without $ORIGIN or SOA at the top. Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand explain" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand explain" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try (for smtp: also for each step of the SMTP conversation; for domain and mta-sts: also for each HTTPS fetch as a whole)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand explain" -l deadline -d 'Seconds the whole run may take; checks still unfinished then report status error (exit 3)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand explain" -l save-zone -d 'Write every DNS answer this run used to FILE, as a master file that --zone FILE replays offline with the same results (written at the end of the run; failed lookups are kept as mailcheck\'s $FAIL directive)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand explain" -l format -d 'How to print the results: text (the report), json (JSON Lines), sarif (one SARIF 2.1.0 log for the run, for code scanning), junit (one JUnit XML document, for CI test reports). The exit status is the same in every format' -r -f -a "text\t'The human report'
json\t'One JSON object per checked item (JSON Lines)'
sarif\t'One SARIF 2.1.0 log for the whole run: a result per finding that is not a pass'
junit\t'One JUnit XML document: a test suite per domain or message, a test case per finding'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand explain" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand explain" -l list -d 'List every finding name, one a line (with --json, every entry, one JSON object a line)'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand explain" -l force -d 'Replace the --save-zone file if it exists'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand explain" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report: short for --format json'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand explain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand man" -l zone -d 'Answer DNS from this RFC 1035 master file instead of the network (repeatable); NAME=FILE gives the zone\'s name to a file without $ORIGIN or SOA at the top. Names no loaded zone covers do not exist. Sends nothing' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand man" -l resolver -d 'Ask this nameserver (IP or IP:PORT; UDP with TCP fallback) instead of the system\'s resolvers' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand man" -l timeout -d 'Seconds to wait for each DNS answer before giving up on that try (for smtp: also for each step of the SMTP conversation; for domain and mta-sts: also for each HTTPS fetch as a whole)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand man" -l deadline -d 'Seconds the whole run may take; checks still unfinished then report status error (exit 3)' -r
complete -c mailcheck -n "__fish_mailcheck_using_subcommand man" -l save-zone -d 'Write every DNS answer this run used to FILE, as a master file that --zone FILE replays offline with the same results (written at the end of the run; failed lookups are kept as mailcheck\'s $FAIL directive)' -r -F
complete -c mailcheck -n "__fish_mailcheck_using_subcommand man" -l format -d 'How to print the results: text (the report), json (JSON Lines), sarif (one SARIF 2.1.0 log for the run, for code scanning), junit (one JUnit XML document, for CI test reports). The exit status is the same in every format' -r -f -a "text\t'The human report'
json\t'One JSON object per checked item (JSON Lines)'
sarif\t'One SARIF 2.1.0 log for the whole run: a result per finding that is not a pass'
junit\t'One JUnit XML document: a test suite per domain or message, a test case per finding'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand man" -l color -d 'When to colour the report: auto (a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Colour when standard output is a terminal and NO_COLOR is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c mailcheck -n "__fish_mailcheck_using_subcommand man" -l force -d 'Replace the --save-zone file if it exists'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand man" -l json -d 'Print one JSON object per checked item (JSON Lines) instead of the report: short for --format json'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and not __fish_seen_subcommand_from domain check verify spf dkim dmarc smtp mta-sts serve completions explain man help" -f -a "domain" -d 'Check the mail DNS of one or more domains: MX, PTR, SPF, DKIM, DMARC'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and not __fish_seen_subcommand_from domain check verify spf dkim dmarc smtp mta-sts serve completions explain man help" -f -a "check" -d 'Check domains against a mailcheck.toml (for CI): every check of `domain`, plus the senders, selectors, key sizes, DMARC policy and MX hosts the file expects, with its accepted exceptions'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and not __fish_seen_subcommand_from domain check verify spf dkim dmarc smtp mta-sts serve completions explain man help" -f -a "verify" -d 'Would a receiver accept this message from this IP? Every DKIM signature, SPF, ARC, DMARC alignment and the disposition'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and not __fish_seen_subcommand_from domain check verify spf dkim dmarc smtp mta-sts serve completions explain man help" -f -a "spf" -d 'Analyse a domain\'s SPF record (include tree, lookup counts), and with --ip evaluate check_host() for that IP'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and not __fish_seen_subcommand_from domain check verify spf dkim dmarc smtp mta-sts serve completions explain man help" -f -a "dkim" -d 'Check a DKIM key record; or generate a key pair, or sign a message'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and not __fish_seen_subcommand_from domain check verify spf dkim dmarc smtp mta-sts serve completions explain man help" -f -a "dmarc" -d 'Find the DMARC policy that applies to a domain and explain every tag'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and not __fish_seen_subcommand_from domain check verify spf dkim dmarc smtp mta-sts serve completions explain man help" -f -a "smtp" -d 'Probe a domain\'s MX hosts (or one host) over SMTP: greeting, EHLO, STARTTLS, TLS version and cipher, the certificate, and PTR. Exit 3 when port 25 cannot be reached'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and not __fish_seen_subcommand_from domain check verify spf dkim dmarc smtp mta-sts serve completions explain man help" -f -a "mta-sts" -d 'Check MTA-STS (RFC 8461): the _mta-sts TXT record, the policy fetched over HTTPS from mta-sts.DOMAIN, and whether it covers every MX host'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and not __fish_seen_subcommand_from domain check verify spf dkim dmarc smtp mta-sts serve completions explain man help" -f -a "serve" -d 'Receive mail over SMTP and authenticate each message as it arrives: SPF at MAIL FROM, DKIM, ARC and DMARC at the end of DATA, the verdict written into the message and printed, one line per message'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and not __fish_seen_subcommand_from domain check verify spf dkim dmarc smtp mta-sts serve completions explain man help" -f -a "completions" -d 'Print a shell completion script'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and not __fish_seen_subcommand_from domain check verify spf dkim dmarc smtp mta-sts serve completions explain man help" -f -a "explain" -d 'Explain a finding name: what it checks, why it matters, the RFC sections, how to fix it and an example of a good record'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and not __fish_seen_subcommand_from domain check verify spf dkim dmarc smtp mta-sts serve completions explain man help" -f -a "man" -d 'Write the man pages (mailcheck.1 and a mailcheck-COMMAND.1 for each command) into DIR, e.g. /usr/local/share/man/man1'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and not __fish_seen_subcommand_from domain check verify spf dkim dmarc smtp mta-sts serve completions explain man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and __fish_seen_subcommand_from dkim" -f -a "keygen" -d 'Generate a DKIM key pair: the private key to a file (mode 0600), the TXT record to publish on standard output'
complete -c mailcheck -n "__fish_mailcheck_using_subcommand help; and __fish_seen_subcommand_from dkim" -f -a "sign" -d 'Sign a message with a private key; the signed message goes to standard output or --out'
