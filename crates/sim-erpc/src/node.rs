//! Node lists: anything that names nodes, so `Vec<String>`, `&[&str]`,
//! `[&str; 3]` and `Vec<Atom>` all pass where OTP takes `[node()]`.

use sim_core::{Atom, NodeId, NodeRef};

/// One entry of a node list: a name (`&str`, `String`, [`Atom`]), a
/// [`NodeId`] or a [`NodeRef`], or a reference to one of those.
///
/// ```
/// use sim_core::{Atom, NodeRef};
/// use sim_erpc::IntoNode;
/// let want = NodeRef::Name(Atom::new("b@sim"));
/// assert_eq!("b@sim".into_node(), want);
/// assert_eq!(String::from("b@sim").into_node(), want);
/// assert_eq!((&Atom::new("b@sim")).into_node(), want);
/// ```
pub trait IntoNode {
    /// The node this entry names.
    fn into_node(self) -> NodeRef;
}

impl IntoNode for &str {
    fn into_node(self) -> NodeRef {
        NodeRef::from(self)
    }
}

impl IntoNode for String {
    fn into_node(self) -> NodeRef {
        NodeRef::from(self.as_str())
    }
}

impl IntoNode for Atom {
    fn into_node(self) -> NodeRef {
        NodeRef::Name(self)
    }
}

impl IntoNode for NodeId {
    fn into_node(self) -> NodeRef {
        NodeRef::Id(self)
    }
}

impl IntoNode for NodeRef {
    fn into_node(self) -> NodeRef {
        self
    }
}

impl<T: IntoNode + Clone> IntoNode for &T {
    fn into_node(self) -> NodeRef {
        self.clone().into_node()
    }
}

/// The entries of a node list, in order (duplicates kept, as OTP keeps them).
///
/// ```
/// use sim_erpc::node_refs;
/// let names = vec!["a@sim".to_string(), "b@sim".to_string()];
/// assert_eq!(node_refs(&names).len(), 2);
/// assert_eq!(node_refs(["a@sim"; 3]).len(), 3);
/// ```
pub fn node_refs<N: IntoNode>(nodes: impl IntoIterator<Item = N>) -> Vec<NodeRef> {
    nodes.into_iter().map(IntoNode::into_node).collect()
}
