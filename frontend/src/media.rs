//! An event's medium in the details and on its story slide: a picture, a video or recording,
//! a page or a document, with its caption and credit.
//!
//! *Privacy first:* a medium lives on another site, and loading it tells that site who reads
//! what. A picture is loaded lazily (when it comes into view); a video or recording of a
//! well-known host is a button until the reader asks for it, and only then becomes that host's
//! player, in a sandboxed frame (YouTube through its no-cookie domain); a video or sound file
//! gets the browser's player without preloading; anything else is a link. A picture that
//! fails to load becomes a labelled placeholder with its link, never a broken-image icon.

use annals_core::event::{Media, MediaKind};
use yew::prelude::*;

/// A host's player for a video or recording page: the frame's address and the host's name.
/// Only the well-known hosts, and only ids of the characters they use, so no address of the
/// record's can make the frame load anything else.
pub fn player(url: &str) -> Option<(String, &'static str)> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.strip_prefix("www.").or_else(|| host.strip_prefix("m.")).unwrap_or(host);
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let path = path.split('#').next().unwrap_or("");
    let id = |s: &str| {
        let ok =
            !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| s.to_owned())
    };
    match host {
        "youtube.com" => {
            let v = match path.split_once('/') {
                Some(("embed" | "shorts" | "live", v)) => v.to_owned(),
                _ if path == "watch" => query.split('&').find_map(|p| p.strip_prefix("v="))?.to_owned(),
                _ => return None,
            };
            Some((format!("https://www.youtube-nocookie.com/embed/{}", id(&v)?), "YouTube"))
        }
        "youtu.be" => Some((format!("https://www.youtube-nocookie.com/embed/{}", id(path)?), "YouTube")),
        "vimeo.com" if path.bytes().all(|b| b.is_ascii_digit()) => {
            Some((format!("https://player.vimeo.com/video/{}", id(path)?), "Vimeo"))
        }
        "dailymotion.com" => {
            let v = path.strip_prefix("video/")?;
            Some((format!("https://www.dailymotion.com/embed/video/{}", id(v)?), "Dailymotion"))
        }
        _ => None,
    }
}

/// Props of [`Medium`].
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The medium.
    pub medium: Media,
}

/// A medium with its caption and credit.
#[function_component(Medium)]
pub fn medium(props: &Props) -> Html {
    let m = &props.medium;
    let broken = use_state_eq(|| false);
    let asked = use_state_eq(|| false);
    let label = m.title.clone().or_else(|| m.caption.clone()).unwrap_or_else(|| m.url.clone());
    let link = m.link.clone().unwrap_or_else(|| m.url.clone());
    let shown = match (m.kind(), player(&m.url)) {
        _ if *broken => html! {
            <p class="medium-broken">{ crate::i18n::t("The picture could not be loaded: ") }
                <a href={link.clone()} rel="noopener noreferrer">{ label.clone() }</a></p>
        },
        (MediaKind::Image, _) => {
            let onerror = {
                let broken = broken.clone();
                Callback::from(move |_: Event| broken.set(true))
            };
            html! { <img src={m.url.clone()} alt={m.alt.clone().unwrap_or_default()} loading="lazy" referrerpolicy="no-referrer" {onerror} /> }
        }
        (MediaKind::Video | MediaKind::Audio, Some((frame, _))) if *asked => html! {
            <iframe src={frame} title={label.clone()} loading="lazy" referrerpolicy="no-referrer"
                sandbox="allow-scripts allow-same-origin allow-presentation" allow="fullscreen; picture-in-picture" />
        },
        (MediaKind::Video | MediaKind::Audio, Some((_, host))) => {
            let onclick = {
                let asked = asked.clone();
                Callback::from(move |_: MouseEvent| asked.set(true))
            };
            html! {
                <button type="button" class="medium-play" {onclick}>
                    { crate::i18n::tf("Play “{0}” from {1}", &[&label, &host]) }
                    <span class="note">{ crate::i18n::tf(" (loads {0}'s player)", &[&host]) }</span>
                </button>
            }
        }
        (MediaKind::Video, None) => html! { <video src={m.url.clone()} controls=true preload="none" /> },
        (MediaKind::Audio, None) => html! { <audio src={m.url.clone()} controls=true preload="none" /> },
        (MediaKind::Page | MediaKind::Document, _) => html! {
            <a href={link.clone()} rel="noopener noreferrer">{ label.clone() }</a>
        },
    };
    let credit = [m.credit.as_deref(), m.licence.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" · ");
    html! {
        <figure class="medium">
            { shown }
            if m.caption.is_some() || !credit.is_empty() {
                <figcaption>
                    if let Some(c) = &m.caption { { c.clone() } }
                    if !credit.is_empty() { <span class="credit">{ credit }</span> }
                </figcaption>
            }
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_hosts_get_their_player_and_nothing_else_does() {
        let yt = Some(("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ".to_owned(), "YouTube"));
        assert_eq!(player("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1"), yt);
        assert_eq!(player("https://youtu.be/dQw4w9WgXcQ"), yt);
        assert_eq!(player("https://m.youtube.com/shorts/dQw4w9WgXcQ"), yt);
        assert_eq!(
            player("https://vimeo.com/76979871"),
            Some(("https://player.vimeo.com/video/76979871".into(), "Vimeo"))
        );
        assert_eq!(
            player("https://www.dailymotion.com/video/x8abc12"),
            Some(("https://www.dailymotion.com/embed/video/x8abc12".into(), "Dailymotion"))
        );
        for not_a_player in [
            "https://www.youtube.com/watch?v=a\"onload=x",
            "https://www.youtube.com/watch?v=../../x",
            "https://youtube.com.evil.example/watch?v=abc",
            "https://vimeo.com/channels/staff",
            "javascript:alert(1)",
            "https://president.az/articles/1",
        ] {
            assert_eq!(player(not_a_player), None, "{not_a_player}");
        }
    }
}
