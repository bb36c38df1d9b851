//! HTTP with the browser's own `fetch`: the few requests the page makes (a record file, the
//! service's streams and events, an import), and nothing more.
//!
//! *Why not a client crate:* the page used gloo-net, which brings the `http` crate's types
//! and a second copy of gloo-net beside yew's; the main bundle has a hard budget (400 KB
//! gzipped, held by an end-to-end test), and four methods on `web_sys::Response` are all the
//! page needs.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys::{Error, Uint8Array};
use web_sys::{ReadableStream, RequestInit};

/// An answer whose headers have arrived (its body may still be on its way).
pub struct Response(web_sys::Response);

/// `GET url`.
pub async fn get(url: &str) -> Result<Response, String> {
    send("GET", url, &[], None).await
}

/// A request with `headers` and an optional text `body`; an error is the browser's reason the
/// request failed (network, CORS), for people.
pub async fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&str>) -> Result<Response, String> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(|e| message(&e))?;
    for (name, value) in headers {
        request.headers().set(name, value).map_err(|e| message(&e))?;
    }
    let window = web_sys::window().ok_or("no window")?;
    let answer = JsFuture::from(window.fetch_with_request(&request)).await.map_err(|e| message(&e))?;
    Ok(Response(answer.unchecked_into()))
}

impl Response {
    /// A 2xx status.
    pub fn ok(&self) -> bool {
        self.0.ok()
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.0.status()
    }

    /// The status text ("Not Found").
    pub fn status_text(&self) -> String {
        self.0.status_text()
    }

    /// A response header.
    pub fn header(&self, name: &str) -> Option<String> {
        self.0.headers().get(name).ok().flatten()
    }

    /// The body as a stream, where the browser gives one.
    pub fn body(&self) -> Option<ReadableStream> {
        self.0.body()
    }

    /// The whole body.
    pub async fn bytes(&self) -> Result<Vec<u8>, String> {
        let buffer = self.0.array_buffer().map_err(|e| message(&e))?;
        let buffer = JsFuture::from(buffer).await.map_err(|e| message(&e))?;
        Ok(Uint8Array::new(&buffer).to_vec())
    }

    /// The whole body as text (invalid UTF-8 replaced).
    pub async fn text(&self) -> Result<String, String> {
        Ok(String::from_utf8_lossy(&self.bytes().await?).into_owned())
    }

    /// The whole body decoded from JSON. *Why through `str`:* every other JSON the page reads
    /// is a `str`, and serde_json's reader is instantiated once per input type (its number
    /// and string parsers with it); reading bytes here made a second copy of them.
    pub async fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, String> {
        let bytes = self.bytes().await?;
        let text = std::str::from_utf8(&bytes).map_err(|e| e.to_string())?;
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

/// What a rejected promise or a thrown error says, for people.
pub fn message(e: &JsValue) -> String {
    match e.dyn_ref::<Error>() {
        Some(error) => String::from(error.message()),
        None => e.as_string().unwrap_or_else(|| format!("{e:?}")),
    }
}
