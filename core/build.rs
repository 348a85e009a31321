fn main() {
    plugin_api::build::flags();
}
