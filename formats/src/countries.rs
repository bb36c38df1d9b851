//! ISO 3166-1 alpha-3 country codes and their short English names.
//!
//! The event-data formats (GDELT, PLOVER) name countries only by a three-letter code, and
//! most of those codes are ISO 3166-1 alpha-3 (CAMEO took them over). An import registers a
//! country once, and a country called "BLR" in the relation map helps nobody, so the readers
//! look the name up here. A code missing from this table (a CAMEO region such as `EUR` or
//! `AFR`, an old or mistyped code such as PLOVER's `JAP`) is *not* guessed at: the reader
//! registers it without an ISO code and names it by the code it was given.
//!
//! The table is sorted by code so a lookup is a binary search.

use crate::import::Actors;
use annals_core::event::{ActorKind, ActorRegistration};
use annals_core::id::ActorId;
use annals_core::validate::Known;

/// (code, English short name), sorted by code.
const COUNTRIES: [(&str, &str); 249] = [
    ("ABW", "Aruba"),
    ("AFG", "Afghanistan"),
    ("AGO", "Angola"),
    ("AIA", "Anguilla"),
    ("ALA", "Åland Islands"),
    ("ALB", "Albania"),
    ("AND", "Andorra"),
    ("ARE", "United Arab Emirates"),
    ("ARG", "Argentina"),
    ("ARM", "Armenia"),
    ("ASM", "American Samoa"),
    ("ATA", "Antarctica"),
    ("ATF", "French Southern Territories"),
    ("ATG", "Antigua and Barbuda"),
    ("AUS", "Australia"),
    ("AUT", "Austria"),
    ("AZE", "Azerbaijan"),
    ("BDI", "Burundi"),
    ("BEL", "Belgium"),
    ("BEN", "Benin"),
    ("BES", "Bonaire, Sint Eustatius and Saba"),
    ("BFA", "Burkina Faso"),
    ("BGD", "Bangladesh"),
    ("BGR", "Bulgaria"),
    ("BHR", "Bahrain"),
    ("BHS", "Bahamas"),
    ("BIH", "Bosnia and Herzegovina"),
    ("BLM", "Saint Barthélemy"),
    ("BLR", "Belarus"),
    ("BLZ", "Belize"),
    ("BMU", "Bermuda"),
    ("BOL", "Bolivia"),
    ("BRA", "Brazil"),
    ("BRB", "Barbados"),
    ("BRN", "Brunei"),
    ("BTN", "Bhutan"),
    ("BVT", "Bouvet Island"),
    ("BWA", "Botswana"),
    ("CAF", "Central African Republic"),
    ("CAN", "Canada"),
    ("CCK", "Cocos (Keeling) Islands"),
    ("CHE", "Switzerland"),
    ("CHL", "Chile"),
    ("CHN", "China"),
    ("CIV", "Côte d'Ivoire"),
    ("CMR", "Cameroon"),
    ("COD", "Democratic Republic of the Congo"),
    ("COG", "Republic of the Congo"),
    ("COK", "Cook Islands"),
    ("COL", "Colombia"),
    ("COM", "Comoros"),
    ("CPV", "Cabo Verde"),
    ("CRI", "Costa Rica"),
    ("CUB", "Cuba"),
    ("CUW", "Curaçao"),
    ("CXR", "Christmas Island"),
    ("CYM", "Cayman Islands"),
    ("CYP", "Cyprus"),
    ("CZE", "Czechia"),
    ("DEU", "Germany"),
    ("DJI", "Djibouti"),
    ("DMA", "Dominica"),
    ("DNK", "Denmark"),
    ("DOM", "Dominican Republic"),
    ("DZA", "Algeria"),
    ("ECU", "Ecuador"),
    ("EGY", "Egypt"),
    ("ERI", "Eritrea"),
    ("ESH", "Western Sahara"),
    ("ESP", "Spain"),
    ("EST", "Estonia"),
    ("ETH", "Ethiopia"),
    ("FIN", "Finland"),
    ("FJI", "Fiji"),
    ("FLK", "Falkland Islands"),
    ("FRA", "France"),
    ("FRO", "Faroe Islands"),
    ("FSM", "Micronesia"),
    ("GAB", "Gabon"),
    ("GBR", "United Kingdom"),
    ("GEO", "Georgia"),
    ("GGY", "Guernsey"),
    ("GHA", "Ghana"),
    ("GIB", "Gibraltar"),
    ("GIN", "Guinea"),
    ("GLP", "Guadeloupe"),
    ("GMB", "Gambia"),
    ("GNB", "Guinea-Bissau"),
    ("GNQ", "Equatorial Guinea"),
    ("GRC", "Greece"),
    ("GRD", "Grenada"),
    ("GRL", "Greenland"),
    ("GTM", "Guatemala"),
    ("GUF", "French Guiana"),
    ("GUM", "Guam"),
    ("GUY", "Guyana"),
    ("HKG", "Hong Kong"),
    ("HMD", "Heard Island and McDonald Islands"),
    ("HND", "Honduras"),
    ("HRV", "Croatia"),
    ("HTI", "Haiti"),
    ("HUN", "Hungary"),
    ("IDN", "Indonesia"),
    ("IMN", "Isle of Man"),
    ("IND", "India"),
    ("IOT", "British Indian Ocean Territory"),
    ("IRL", "Ireland"),
    ("IRN", "Iran"),
    ("IRQ", "Iraq"),
    ("ISL", "Iceland"),
    ("ISR", "Israel"),
    ("ITA", "Italy"),
    ("JAM", "Jamaica"),
    ("JEY", "Jersey"),
    ("JOR", "Jordan"),
    ("JPN", "Japan"),
    ("KAZ", "Kazakhstan"),
    ("KEN", "Kenya"),
    ("KGZ", "Kyrgyzstan"),
    ("KHM", "Cambodia"),
    ("KIR", "Kiribati"),
    ("KNA", "Saint Kitts and Nevis"),
    ("KOR", "South Korea"),
    ("KWT", "Kuwait"),
    ("LAO", "Laos"),
    ("LBN", "Lebanon"),
    ("LBR", "Liberia"),
    ("LBY", "Libya"),
    ("LCA", "Saint Lucia"),
    ("LIE", "Liechtenstein"),
    ("LKA", "Sri Lanka"),
    ("LSO", "Lesotho"),
    ("LTU", "Lithuania"),
    ("LUX", "Luxembourg"),
    ("LVA", "Latvia"),
    ("MAC", "Macao"),
    ("MAF", "Saint Martin"),
    ("MAR", "Morocco"),
    ("MCO", "Monaco"),
    ("MDA", "Moldova"),
    ("MDG", "Madagascar"),
    ("MDV", "Maldives"),
    ("MEX", "Mexico"),
    ("MHL", "Marshall Islands"),
    ("MKD", "North Macedonia"),
    ("MLI", "Mali"),
    ("MLT", "Malta"),
    ("MMR", "Myanmar"),
    ("MNE", "Montenegro"),
    ("MNG", "Mongolia"),
    ("MNP", "Northern Mariana Islands"),
    ("MOZ", "Mozambique"),
    ("MRT", "Mauritania"),
    ("MSR", "Montserrat"),
    ("MTQ", "Martinique"),
    ("MUS", "Mauritius"),
    ("MWI", "Malawi"),
    ("MYS", "Malaysia"),
    ("MYT", "Mayotte"),
    ("NAM", "Namibia"),
    ("NCL", "New Caledonia"),
    ("NER", "Niger"),
    ("NFK", "Norfolk Island"),
    ("NGA", "Nigeria"),
    ("NIC", "Nicaragua"),
    ("NIU", "Niue"),
    ("NLD", "Netherlands"),
    ("NOR", "Norway"),
    ("NPL", "Nepal"),
    ("NRU", "Nauru"),
    ("NZL", "New Zealand"),
    ("OMN", "Oman"),
    ("PAK", "Pakistan"),
    ("PAN", "Panama"),
    ("PCN", "Pitcairn"),
    ("PER", "Peru"),
    ("PHL", "Philippines"),
    ("PLW", "Palau"),
    ("PNG", "Papua New Guinea"),
    ("POL", "Poland"),
    ("PRI", "Puerto Rico"),
    ("PRK", "North Korea"),
    ("PRT", "Portugal"),
    ("PRY", "Paraguay"),
    ("PSE", "Palestine"),
    ("PYF", "French Polynesia"),
    ("QAT", "Qatar"),
    ("REU", "Réunion"),
    ("ROU", "Romania"),
    ("RUS", "Russia"),
    ("RWA", "Rwanda"),
    ("SAU", "Saudi Arabia"),
    ("SDN", "Sudan"),
    ("SEN", "Senegal"),
    ("SGP", "Singapore"),
    ("SGS", "South Georgia and the South Sandwich Islands"),
    ("SHN", "Saint Helena, Ascension and Tristan da Cunha"),
    ("SJM", "Svalbard and Jan Mayen"),
    ("SLB", "Solomon Islands"),
    ("SLE", "Sierra Leone"),
    ("SLV", "El Salvador"),
    ("SMR", "San Marino"),
    ("SOM", "Somalia"),
    ("SPM", "Saint Pierre and Miquelon"),
    ("SRB", "Serbia"),
    ("SSD", "South Sudan"),
    ("STP", "São Tomé and Príncipe"),
    ("SUR", "Suriname"),
    ("SVK", "Slovakia"),
    ("SVN", "Slovenia"),
    ("SWE", "Sweden"),
    ("SWZ", "Eswatini"),
    ("SXM", "Sint Maarten"),
    ("SYC", "Seychelles"),
    ("SYR", "Syria"),
    ("TCA", "Turks and Caicos Islands"),
    ("TCD", "Chad"),
    ("TGO", "Togo"),
    ("THA", "Thailand"),
    ("TJK", "Tajikistan"),
    ("TKL", "Tokelau"),
    ("TKM", "Turkmenistan"),
    ("TLS", "Timor-Leste"),
    ("TON", "Tonga"),
    ("TTO", "Trinidad and Tobago"),
    ("TUN", "Tunisia"),
    ("TUR", "Türkiye"),
    ("TUV", "Tuvalu"),
    ("TWN", "Taiwan"),
    ("TZA", "Tanzania"),
    ("UGA", "Uganda"),
    ("UKR", "Ukraine"),
    ("UMI", "United States Minor Outlying Islands"),
    ("URY", "Uruguay"),
    ("USA", "United States"),
    ("UZB", "Uzbekistan"),
    ("VAT", "Holy See"),
    ("VCT", "Saint Vincent and the Grenadines"),
    ("VEN", "Venezuela"),
    ("VGB", "British Virgin Islands"),
    ("VIR", "United States Virgin Islands"),
    ("VNM", "Vietnam"),
    ("VUT", "Vanuatu"),
    ("WLF", "Wallis and Futuna"),
    ("WSM", "Samoa"),
    ("YEM", "Yemen"),
    ("ZAF", "South Africa"),
    ("ZMB", "Zambia"),
    ("ZWE", "Zimbabwe"),
];

/// The English short name of an ISO 3166-1 alpha-3 code (`"BLR"` → `"Belarus"`), if it is one.
pub fn iso3_name(code: &str) -> Option<&'static str> {
    COUNTRIES.binary_search_by(|(c, _)| (*c).cmp(code)).ok().map(|i| COUNTRIES[i].1)
}

/// Interns the actor a three-letter country code stands for, as event-data formats give it
/// (`scheme` names where the code comes from: `cameo`, `plover`), and returns its id.
///
/// The id is the code in lowercase (`BLR` → `blr`), the convention of the default record, so
/// an import into a stream that already registered `blr` as a country reuses that actor
/// instead of registering it twice. A code that is not ISO 3166-1 alpha-3 is registered as an
/// `organization` (CAMEO uses such codes for regions and bodies: `EUR`, `IGO`) named by the
/// code, with no ISO code invented. Returns `None` for text that is not three letters.
pub(crate) fn intern_country(actors: &mut Actors, known: &dyn Known, code: &str, scheme: &str) -> Option<ActorId> {
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let lower = code.to_ascii_lowercase();
    let id = match known.actor_kind(&lower) {
        None | Some(ActorKind::Country) => lower,
        // Taken by something else in the stream: keep the scheme's code apart.
        Some(_) => format!("{scheme}-{lower}"),
    };
    if known.actor_kind(&id).is_some() {
        return Some(ActorId::from(id));
    }
    Some(actors.intern(&id, |id| {
        let mut reg = match iso3_name(code) {
            Some(name) => {
                let mut reg = ActorRegistration::new(id, ActorKind::Country, name);
                reg.iso3 = Some(code.to_owned());
                reg
            }
            None => {
                ActorRegistration::new(id, ActorKind::Organization, format!("{} code {code}", scheme.to_uppercase()))
            }
        };
        reg.codes.insert(scheme.to_owned(), code.to_owned());
        reg
    }))
}

/// Turns free text into an actor id: lowercase ASCII letters and digits, other runs of
/// characters folded to one `-`, common accents dropped, apostrophes removed, at most 64
/// characters (cut at a `-` when possible). Returns `None` when nothing usable is left.
pub(crate) fn slug(text: &str) -> Option<String> {
    let mut out = String::new();
    for c in text.chars() {
        let c = fold_accent(c);
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') && c != '\'' && c != '\u{2019}' {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.len() > annals_core::id::MAX_ACTOR_ID {
        let cut = &out[..annals_core::id::MAX_ACTOR_ID];
        out = cut.rfind('-').map_or(cut, |i| &cut[..i]).to_owned();
    }
    (!out.is_empty()).then_some(out)
}

/// The ASCII letter a Latin letter with a diacritic is written with, else the character.
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'ć' | 'č' | 'Ç' | 'Č' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' | 'ə' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ə' => 'e',
        'ğ' | 'Ğ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' | 'İ' | 'Í' | 'Î' => 'i',
        'ł' | 'Ł' => 'l',
        'ñ' | 'ń' | 'ň' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' | 'Ó' | 'Ö' | 'Ø' => 'o',
        'ř' => 'r',
        'ś' | 'š' | 'ş' | 'Š' | 'Ş' => 's',
        'ť' | 'ţ' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'Ú' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        'ź' | 'ż' | 'ž' | 'Ž' => 'z',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_so_lookups_find_every_code() {
        assert!(COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0));
        for (code, name) in COUNTRIES {
            assert_eq!(iso3_name(code), Some(name));
        }
    }

    #[test]
    fn codes_that_are_not_iso_are_not_guessed() {
        assert_eq!(iso3_name("BLR"), Some("Belarus"));
        assert_eq!(iso3_name("AZE"), Some("Azerbaijan"));
        // CAMEO regions and PLOVER's old code for Japan.
        assert_eq!(iso3_name("EUR"), None);
        assert_eq!(iso3_name("JAP"), None);
        assert_eq!(iso3_name("blr"), None);
        assert_eq!(iso3_name(""), None);
    }

    #[test]
    fn slugs_are_valid_actor_ids() {
        assert_eq!(slug("President Lenin Moreno Garcés ").as_deref(), Some("president-lenin-moreno-garces"));
        assert_eq!(slug("Côte d'Ivoire").as_deref(), Some("cote-divoire"));
        assert_eq!(slug(" -- "), None);
        let long = slug(&"word ".repeat(40)).unwrap_or_default();
        assert!(long.len() <= 64 && !long.ends_with('-'), "{long}");
        for text in ["Tô Lâm", "Ilham Əliyev", "Ünal", "a\u{0}b", "Ωmega", "-x-"] {
            let s = slug(text).unwrap_or_default();
            assert!(annals_core::id::check_actor_id(&s).is_ok(), "{text:?} -> {s:?}");
        }
    }
}
