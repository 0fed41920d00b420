//! [`Interface`] and [`define_interface!`](crate::define_interface): one
//! definition per interface, from which everything else is generated.
#![forbid(unsafe_code)]

use crate::message::WireMessage;

/// Version of an interface: a different major is incompatible, a higher
/// minor only adds calls at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InterfaceVersion {
    /// Incompatible changes.
    pub major: u16,
    /// Additions.
    pub minor: u16,
}

/// An IPC interface: a name clients look up, a version, and the request and
/// response types that travel on it. Implemented by the marker type that
/// [`define_interface!`](crate::define_interface) generates.
pub trait Interface: 'static {
    /// Name registered with the module manager (`"filesystem"`).
    const NAME: &'static str;
    /// Interface version.
    const VERSION: InterfaceVersion;
    /// Stable wire name of the request type (`"filesystem/Request"`).
    const REQUEST_TYPE: &'static str;
    /// Stable wire name of the response type (`"filesystem/Response"`).
    const RESPONSE_TYPE: &'static str;
    /// Method names, in declaration order (the request variant order).
    const METHODS: &'static [&'static str];
    /// Methods that may run twice with the same effect: a typed client
    /// repeats one whose server died holding it
    /// ([`TransportError::ServerGone`](crate::client::TransportError::ServerGone)),
    /// and the call then waits for the restarted server.
    const IDEMPOTENT: &'static [&'static str] = &[];
    /// One variant per call, holding the call's arguments.
    type Request: WireMessage + Clone + core::fmt::Debug + PartialEq + Send;
    /// One variant per call, holding the call's `Result`.
    type Response: WireMessage + Clone + core::fmt::Debug + PartialEq + Send;
    /// The error the interface's calls return.
    type Error: Clone + core::fmt::Debug + PartialEq;

    /// Name of the method a request calls.
    fn request_method(request: &Self::Request) -> &'static str;
    /// Name of the method a response answers.
    fn response_method(response: &Self::Response) -> &'static str;
}

/// Server side of an interface: answer one request. Implemented for every
/// type that implements the interface's generated handler trait.
pub trait Dispatch<I: Interface> {
    /// Call the handler method the request names and wrap its result.
    fn dispatch(&mut self, request: I::Request) -> I::Response;
}

/// Interface `Self` can be served by a handler of type `H`. The macro
/// implements this on the (local) marker type rather than [`Dispatch`] on
/// every handler, so that interfaces defined outside this crate obey the
/// orphan rule; [`Dispatch`] follows from it.
pub trait Handles<H: ?Sized>: Interface {
    /// Call the method of `handler` that `request` names.
    fn dispatch_to(handler: &mut H, request: Self::Request) -> Self::Response;
}

impl<I: Handles<H>, H: ?Sized> Dispatch<I> for H {
    fn dispatch(&mut self, request: I::Request) -> I::Response {
        I::dispatch_to(self, request)
    }
}

/// Declare an interface once. Generates the marker type (implementing
/// [`Interface`]), the request and response enums (with their wire tags
/// `"<name>/Request"` and `"<name>/Response"`), the handler trait a server
/// implements, its [`Dispatch`] impl, and the typed client whose methods are
/// the calls. See `interfaces/filesystem.rs` for a full example.
#[macro_export]
macro_rules! define_interface {
    (
        $(#[$doc:meta])*
        interface $marker:ident {
            name: $name:literal,
            version: ($major:literal, $minor:literal),
            error: $err:ty,
            request: $req:ident,
            response: $resp:ident,
            handler: $handler:ident,
            client: $client:ident,
            $( derive_extra: [ $(#[$extra:meta])* ], )?
            $( idempotent: [ $( $idem:ident ),* $(,)? ], )?
            methods {
                $(
                    $(#[$mdoc:meta])*
                    fn $method:ident ( $( $arg:ident : $argty:ty ),* $(,)? ) -> $ret:ty => $variant:ident;
                )+
            }
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $marker;

        impl $crate::interfaces::Interface for $marker {
            const NAME: &'static str = $name;
            const VERSION: $crate::interfaces::InterfaceVersion =
                $crate::interfaces::InterfaceVersion { major: $major, minor: $minor };
            const REQUEST_TYPE: &'static str = concat!($name, "/Request");
            const RESPONSE_TYPE: &'static str = concat!($name, "/Response");
            const METHODS: &'static [&'static str] = &[$(stringify!($method)),+];
            const IDEMPOTENT: &'static [&'static str] = &[$( $( stringify!($idem) ),* )?];
            type Request = $req;
            type Response = $resp;
            type Error = $err;

            fn request_method(request: &$req) -> &'static str {
                request.method()
            }

            fn response_method(response: &$resp) -> &'static str {
                response.method()
            }
        }

        #[doc = concat!("A call of the `", $name, "` interface: one variant per method, holding its arguments.")]
        #[derive(Clone, Debug, PartialEq, Eq, $crate::__private::serde::Serialize, $crate::__private::serde::Deserialize)]
        $( $(#[$extra])* )?
        pub enum $req {
            $(
                $(#[$mdoc])*
                #[allow(
                    missing_docs,
                    clippy::allow_attributes,
                    reason = "generated fields are the method arguments; the lint fires only in crates that warn on missing docs"
                )]
                $variant { $( $arg: $argty ),* },
            )+
        }

        impl $crate::message::WireMessage for $req {
            const TAG: $crate::message::TypeTag =
                $crate::message::TypeTag::new(
                    <$marker as $crate::interfaces::Interface>::REQUEST_TYPE, $major, $minor);
        }

        impl $req {
            /// Name of the method this request calls.
            pub fn method(&self) -> &'static str {
                match self {
                    $( $req::$variant { .. } => stringify!($method), )+
                }
            }
        }

        #[doc = concat!("The answer to a `", $name, "` call: one variant per method, holding its result.")]
        #[derive(Clone, Debug, PartialEq, Eq, $crate::__private::serde::Serialize, $crate::__private::serde::Deserialize)]
        $( $(#[$extra])* )?
        pub enum $resp {
            $(
                $(#[$mdoc])*
                $variant(::core::result::Result<$ret, $err>),
            )+
        }

        impl $crate::message::WireMessage for $resp {
            const TAG: $crate::message::TypeTag =
                $crate::message::TypeTag::new(
                    <$marker as $crate::interfaces::Interface>::RESPONSE_TYPE, $major, $minor);
        }

        impl $resp {
            /// Name of the method this response answers.
            pub fn method(&self) -> &'static str {
                match self {
                    $( $resp::$variant(_) => stringify!($method), )+
                }
            }
        }

        #[doc = concat!("What a server of the `", $name, "` interface implements: one method per call.")]
        pub trait $handler {
            $(
                $(#[$mdoc])*
                fn $method(&mut self, $( $arg: $argty ),*) -> ::core::result::Result<$ret, $err>;
            )+
        }

        impl<H: $handler + ?Sized> $crate::interfaces::Handles<H> for $marker {
            fn dispatch_to(handler: &mut H, request: $req) -> $resp {
                match request {
                    $( $req::$variant { $( $arg ),* } => $resp::$variant(handler.$method($( $arg ),*)), )+
                }
            }
        }

        #[doc = concat!("Typed client of the `", $name, "` interface: each method is one `call`.")]
        pub struct $client<T: $crate::client::Transport> {
            inner: $crate::client::Client<$marker, T>,
        }

        impl<T: $crate::client::Transport> $client<T> {
            /// A client that calls through `transport`.
            pub fn new(transport: T) -> Self {
                Self { inner: $crate::client::Client::new(transport) }
            }

            /// The untyped client underneath.
            pub fn raw(&mut self) -> &mut $crate::client::Client<$marker, T> {
                &mut self.inner
            }

            /// Give back the transport.
            pub fn into_transport(self) -> T {
                self.inner.into_transport()
            }

            $(
                $(#[$mdoc])*
                pub fn $method(&mut self, $( $arg: $argty ),*)
                    -> ::core::result::Result<$ret, $crate::client::CallError<$err>>
                {
                    #[allow(
                        unreachable_patterns,
                        clippy::allow_attributes,
                        reason = "the fallback arm is unreachable only for one-method interfaces"
                    )]
                    match self.inner.call(&$req::$variant { $( $arg ),* })? {
                        $resp::$variant(result) => result.map_err($crate::client::CallError::Remote),
                        other => Err($crate::client::CallError::UnexpectedReply { method: other.method() }),
                    }
                }
            )+
        }
    };
}

/// `Display` for a fieldless error enum from one message per variant, plus
/// `core::error::Error`.
macro_rules! error_messages {
    ($ty:ty { $( $variant:ident => $msg:literal ),+ $(,)? }) => {
        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(match self {
                    $( Self::$variant => $msg, )+
                })
            }
        }
        impl ::core::error::Error for $ty {}
    };
}
pub(crate) use error_messages;
