fn main() {
    plugin_api::build::plugin();
}
