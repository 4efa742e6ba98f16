//! Macros shared by the option structs.

/// By-value setters named after the fields they set, each with its doc line.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty),* $(,)?) => {
        $(
            $(#[$doc])*
            #[must_use]
            pub fn $name(mut self, value: $ty) -> Self {
                self.$name = value;
                self
            }
        )*
    };
}

/// By-value setters for text fields (`String` taken as `&str`, `Option<String>` as
/// `Option<&str>`), each with its doc line.
macro_rules! text_setters {
    () => {};
    ($(#[$doc:meta])* $name:ident: &str $(, $($rest:tt)*)?) => {
        $(#[$doc])*
        #[must_use]
        pub fn $name(mut self, value: &str) -> Self {
            self.$name = value.to_owned();
            self
        }
        text_setters!($($($rest)*)?);
    };
    ($(#[$doc:meta])* $name:ident: Option<&str> $(, $($rest:tt)*)?) => {
        $(#[$doc])*
        #[must_use]
        pub fn $name(mut self, value: Option<&str>) -> Self {
            self.$name = value.map(str::to_owned);
            self
        }
        text_setters!($($($rest)*)?);
    };
}
