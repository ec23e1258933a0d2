use super::rrsig_time;

#[test]
fn rrsig_times_are_written_as_rfc_4034_says() {
    assert_eq!(rrsig_time(0), "19700101000000");
    // 2026-12-04 17:00:00 UTC
    assert_eq!(rrsig_time(1_796_403_600), "20261204170000");
    assert_eq!(rrsig_time(951_782_400), "20000229000000");
}
