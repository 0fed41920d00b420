//! Maximum controlled priority: no thread gives a priority or MCP above
//! its own MCP.

use helix_abi::{Method, SysError};

use super::support::{Rec, boot, inv, second_thread};

#[test]
fn priorities_and_mcps_are_bounded_by_the_callers_mcp() {
    let (mut s, root) = boot();
    let mut fx = Rec::default();
    let t = second_thread(&mut s, root, &mut fx, 20);
    let (set_prio, set_mcp) = (Method::ThreadSetPriority, Method::ThreadSetMcp);
    // A retyped thread starts with MCP 0: it cannot even keep priority 1.
    assert_eq!(
        inv(&mut s, t, &mut fx, 20, set_prio, [1, 0, 0, 0]),
        Err(SysError::NoRights)
    );
    // The root thread (MCP 255) raises it to 120.
    inv(&mut s, root, &mut fx, 20, set_mcp, [120, 0, 0, 0]).unwrap();
    assert_eq!(
        inv(&mut s, t, &mut fx, 20, set_prio, [130, 0, 0, 0]),
        Err(SysError::NoRights)
    );
    inv(&mut s, t, &mut fx, 20, set_prio, [120, 0, 0, 0]).unwrap();
    assert_eq!(s.sched.priority(t), Ok(120));
    assert_eq!(
        inv(&mut s, t, &mut fx, 20, set_mcp, [200, 0, 0, 0]),
        Err(SysError::NoRights)
    );
    // Lowering its own MCP binds it from then on, on any thread.
    inv(&mut s, t, &mut fx, 20, set_mcp, [50, 0, 0, 0]).unwrap();
    assert_eq!(
        inv(&mut s, t, &mut fx, 4, set_prio, [60, 0, 0, 0]),
        Err(SysError::NoRights)
    );
    inv(&mut s, t, &mut fx, 4, set_prio, [50, 0, 0, 0]).unwrap();
    assert_eq!(
        inv(&mut s, root, &mut fx, 20, set_mcp, [256, 0, 0, 0]),
        Err(SysError::InvalidArgument)
    );
}
