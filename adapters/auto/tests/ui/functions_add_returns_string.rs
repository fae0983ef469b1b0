// A registry's function that returns `String`: the same bound, the same
// message.
use anyfn::{handler_fn, Context, Request};
use anyfn_functions::Functions;

async fn hello(_request: Request, _context: Context) -> Result<String, anyfn::Error> {
    Ok("Hello!".to_owned())
}

fn main() {
    let _functions = Functions::new().add("hello", handler_fn(hello));
}
