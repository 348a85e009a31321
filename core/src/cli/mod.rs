//! The command line: raw parsing in [`args`], the usage and version texts here.
#![forbid(unsafe_code)]

pub mod args;

pub use args::{ArgError, Command, Input, Options, SplitSpec, parse};

/// The program's name in messages.
pub const APP_NAME: &str = "Tranalyzer";
/// Name and version, as T2 prints them.
pub const APP_STRING: &str = "Tranalyzer 0.9.3";
/// T2's code name.
pub const CODENAME: &str = "Anteater";
/// T2's release name.
pub const RELEASE: &str = "Cobra";

/// `-V`: `Tranalyzer 0.9.3 (Anteater) [Cobra]`.
pub fn version() -> String {
    format!("{APP_STRING} ({CODENAME}) [{RELEASE}]")
}

/// `-h`.
pub fn usage() -> String {
    format!(
        "{APP_STRING} - High performance flow based network traffic analyzer

Usage:
    tranalyzer [OPTION...] <INPUT>

Input arguments:
    -i IFACE     Listen on interface IFACE
    -r PCAP      Read packets from PCAP file or from stdin if PCAP is \"-\"
    -R FILE      Process every PCAP file listed in FILE
    -D EXPR[:SCHR][,STOP]
                 Process every PCAP file whose name matches EXPR, up to an
                 optional last index STOP. If STOP is omitted, then Tranalyzer
                 never stops. EXPR can be a filename, e.g., file.pcap0, or an
                 expression, such as \"dump*.pcap00\", where the star matches
                 anything (note the quotes to prevent the shell from
                 interpreting the expression). SCHR can be used to specify
                 the last character before the index (default: 'p')

Output arguments:
    -w PREFIX    Append PREFIX to any output file produced. If the option is
                 omitted, derive PREFIX from the input. Use '-w -' to output
                 the flow file to stdout (other files will be saved as if the
                 '-w' option had been omitted and the '-l' and '-m' options used)
    -W PREFIX[:SIZE][,START]
                 Like -w, but fragment flow files according to SIZE, producing
                 files starting with index START. SIZE can be specified in bytes
                 (default), KB ('K'), MB ('M') or GB ('G'). Scientific notation,
                 i.e., 1e5 or 1E5 (=100000), can be used as well. If a 'f' is
                 appended, e.g., 10Kf, then SIZE denotes the number of flows.
    -l           Print end report in PREFIX_log.txt instead of stdout
    -m           Print monitoring output in PREFIX_monitoring.txt instead of stdout
    -s           Packet forensics mode
    --no-progress
                 Do not show the progress line on stderr (shown only when
                 stderr is a terminal)
    --threads N  Use up to N threads (default: the cores tranalyzer may run
                 on; 1: everything on one thread, as T2)

Interface capture arguments:
    -S SNAPLEN   Set the snapshot length (used with -i option)
    -B BUFSIZE   Set the live Rx buffer size (used with -i option)

Optional arguments:
    -p PATH      Load plugins from PATH instead of ~/.tranalyzer/plugins
    -b FILE      Use plugin list FILE instead of plugin_folder/plugins.txt
    -e FILE      Create a PCAP file by extracting all packets belonging to
                 flow indexes listed in FILE (require pcapd plugin)
    -f FACTOR    Set hash multiplication factor
    -x ID        Sensor ID
    -c CPU       Bind tranalyzer to one core. If CPU is 0 then OS selects the
                 core to bind
    -P PRIO      Set tranalyzer priority to PRIO (int) instead of 0
                 (PRIO [highest, lowest]: [-20, 20] (root), [0, 20] (user))
    -M FLT       Set monitoring interval to FLT seconds
    -F FILE      Read BPF filter from FILE

Help and documentation arguments:
    -V           Show the version of the program and the configuration flags
                 that differ from their defaults, then exit
    -h           Show help options and exit

Remaining arguments:
    BPF          Berkeley Packet Filter command, as in tcpdump
"
    )
}
