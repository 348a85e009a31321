//! httpSniffer driven through its callbacks by the testing kit.
