//! Units of the Chinese land administration: square metres, 亩 (mu) and 公顷 (hectare).
//!
//! Area is stored in m² (computed from geometry, never taken from a client) and 亩 is
//! always derived, so the two can never disagree.

/// 1 亩 = 10000/15 m² ≈ 666.67 m² (1 公顷 = 15 亩).
pub const M2_PER_MU: f64 = 10_000.0 / 15.0;

/// Square metres to 亩.
pub fn m2_to_mu(m2: f64) -> f64 {
    m2 / M2_PER_MU
}

/// 亩 to square metres.
pub fn mu_to_m2(mu: f64) -> f64 {
    mu * M2_PER_MU
}

/// Round to `decimals` places for display. Storage keeps full precision.
pub fn round_to(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

/// An area shown both ways, as every view of land in parkland does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaM2(pub f64);

impl AreaM2 {
    /// m², rounded to the square centimetre-level precision surveys justify (0.01 m²).
    pub fn m2_display(self) -> f64 {
        round_to(self.0, 2)
    }

    /// 亩, rounded to four places (≈ 0.07 m²).
    pub fn mu_display(self) -> f64 {
        round_to(m2_to_mu(self.0), 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_mu_is_ten_thousand_fifteenths_of_a_square_metre() {
        assert!((M2_PER_MU - 666.666_666_666_7).abs() < 1e-9);
        assert!((m2_to_mu(10_000.0) - 15.0).abs() < 1e-12, "1 公顷 = 15 亩");
        assert!((mu_to_m2(m2_to_mu(1234.5)) - 1234.5).abs() < 1e-9);
    }

    #[test]
    fn display_rounding() {
        let a = AreaM2(66_666.666_666);
        assert_eq!(a.m2_display(), 66_666.67);
        assert_eq!(a.mu_display(), 100.0);
        assert_eq!(AreaM2(1000.0).mu_display(), 1.5);
    }
}
