const A = <a href="https://x.herokuapp.com/a?b=1&amp;c">x</a>;
fetch(`https://y.herokuapp.com/${p}`);
import u from "https://z.herokuapp.com/m.js";
