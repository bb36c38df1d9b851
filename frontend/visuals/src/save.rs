//! The browser's part of saving a picture ([`crate::picture`]): the view's markup (the
//! timeline's from the page's description, the map's and the charts' as drawn last), framed,
//! then offered as a download — the SVG as it is, or drawn on a canvas at twice the page's
//! pixels (the screen's, if more) and encoded as PNG by the browser (`toBlob`).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Blob, BlobPropertyBag, CanvasRenderingContext2d, HtmlAnchorElement, HtmlCanvasElement, HtmlImageElement, Url,
};

use crate::picture::{document, file_name, Ask};

fn fail(what: &str) -> JsValue {
    JsValue::from_str(what)
}

/// A canvas of the page's document and its 2D context.
fn canvas() -> Result<(HtmlCanvasElement, CanvasRenderingContext2d), JsValue> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| fail("no document"))?;
    let canvas: HtmlCanvasElement = document.create_element("canvas")?.dyn_into()?;
    let ctx = canvas.get_context("2d")?.ok_or_else(|| fail("no 2D context"))?.dyn_into::<CanvasRenderingContext2d>()?;
    Ok((canvas, ctx))
}

/// Saves the picture `ask` asks for.
pub(crate) fn picture(mut ask: Ask) -> Result<(), JsValue> {
    let (_, ctx) = canvas()?;
    let (view, size, colours) = match ask.which.as_str() {
        "timeline" => {
            let drawn = ask.drawn.as_ref().ok_or_else(|| fail("the timeline has not drawn yet"))?;
            ctx.set_font("13px system-ui, sans-serif");
            crate::picture::timeline(drawn, &|t: &str| ctx.measure_text(t).map_or(0.0, |m| m.width()))
        }
        "map" => {
            // Without the all-time graph: it is kept from the drawing, with its layout.
            let mut plan =
                crate::map::LAST_PLAN.with(|p| p.borrow().clone()).ok_or_else(|| fail("the map is not drawn yet"))?;
            ctx.set_font(crate::map::FONT);
            let scene = crate::map::scene(&mut plan, &|t: &str| ctx.measure_text(t).map_or(100.0, |m| m.width()))
                .map_err(|e| fail(&e))?;
            let view = crate::picture::map(&scene, &plan);
            // The year the map shows is said with the filters.
            if !plan.as_of.is_empty() {
                ask.frame.filters = format!("{} · {}", ask.frame.filters, plan.as_of);
            }
            (view, (plan.width, plan.height), [plan.paper.clone(), plan.ink.clone(), plan.muted.clone()])
        }
        "charts" => crate::draw::svg().ok_or_else(|| fail("the charts are not drawn yet"))?,
        other => return Err(fail(&format!("there is no picture of “{other}”"))),
    };
    let (svg, width, height) = document(&ask, &view, size, &colours);
    let now = web_sys::js_sys::Date::new_0();
    let today = format!("{:04}-{:02}-{:02}", now.get_full_year(), now.get_month() + 1, now.get_date());
    let name = file_name(&ask.frame.title, &ask.which, &today, &ask.format);
    let blob = svg_blob(&svg)?;
    if ask.format == "svg" {
        return offer(&blob, &name);
    }
    png(&blob, (width, height), name)
}

fn svg_blob(svg: &str) -> Result<Blob, JsValue> {
    let options = BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let parts = web_sys::js_sys::Array::of1(&JsValue::from_str(svg));
    Blob::new_with_str_sequence_and_options(&parts, &options)
}

/// Offers `blob` as a download named `name` (an `<a download>` clicked once).
fn offer(blob: &Blob, name: &str) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or_else(|| fail("no window"))?;
    let document = window.document().ok_or_else(|| fail("no document"))?;
    let url = Url::create_object_url_with_blob(blob)?;
    let a: HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    let body = document.body().ok_or_else(|| fail("no body"))?;
    body.append_child(&a)?;
    a.click();
    a.remove();
    // The address is let go once the download has taken it.
    let revoke = Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&url);
    });
    window.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000)?;
    Ok(())
}

/// Draws the SVG on a canvas at twice the page's pixels (the screen's, if more) and offers it
/// as PNG.
fn png(svg: &Blob, (width, height): (f64, f64), name: String) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or_else(|| fail("no window"))?;
    let ratio = window.device_pixel_ratio().max(2.0);
    let url = Url::create_object_url_with_blob(svg)?;
    let image = HtmlImageElement::new()?;
    let (canvas, ctx) = canvas()?;
    canvas.set_width((width * ratio).round() as u32);
    canvas.set_height((height * ratio).round() as u32);
    let drawn = {
        let (image, url) = (image.clone(), url.clone());
        Closure::once_into_js(move || {
            let _ = Url::revoke_object_url(&url);
            let _ = ctx.scale(ratio, ratio);
            if let Err(e) = ctx.draw_image_with_html_image_element_and_dw_and_dh(&image, 0.0, 0.0, width, height) {
                web_sys::console::warn_1(&e);
                return;
            }
            let encoded = Closure::once_into_js(move |blob: Option<Blob>| match blob {
                Some(blob) => {
                    if let Err(e) = offer(&blob, &name) {
                        web_sys::console::warn_1(&e);
                    }
                }
                None => web_sys::console::warn_1(&fail("the picture could not be encoded as PNG")),
            });
            if let Err(e) = canvas.to_blob_with_type(encoded.unchecked_ref(), "image/png") {
                web_sys::console::warn_1(&e);
            }
        })
    };
    let failed = {
        let url = url.clone();
        Closure::once_into_js(move || {
            let _ = Url::revoke_object_url(&url);
            web_sys::console::warn_1(&fail("the picture could not be drawn"));
        })
    };
    image.set_onload(Some(drawn.unchecked_ref()));
    image.set_onerror(Some(failed.unchecked_ref()));
    image.set_src(&url);
    Ok(())
}
