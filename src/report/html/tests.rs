use super::*;

#[test]
fn escapes_markup_quotes_and_controls() {
    assert_eq!(
        Esc("<script>alert('x')</script> & \"y\"").to_string(),
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
    );
    assert_eq!(Esc("a\u{0}b\tc\n").to_string(), "a\u{FFFD}b\tc\n");
    assert_eq!(Esc("héllo — ok").to_string(), "héllo — ok");
}
