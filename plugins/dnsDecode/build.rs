// Compiles flags.toml into constants (src/flags.rs) and passes the plugin number to the code.
fn main() {
    plugin_api::build::plugin();
}
