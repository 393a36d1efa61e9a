// objgraph.cc - C++ containers and a leaked object graph behind a base pointer.
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace shapes {

struct Shape {
	virtual ~Shape() = default;
	virtual double area() const = 0;
};

struct Polygon : Shape {
	std::vector<double> xs, ys;
	std::string name;
	double area() const override { return xs.size(); }
};

struct Group : Shape {
	std::map<std::string, Shape *> members; // owns, but never deletes
	double area() const override
	{
		double a = 0;
		for (auto &m : members)
			a += m.second->area();
		return a;
	}
};

// A base without a virtual destructor: deleting through it leaks.
struct Tagged {
	int tag;
	~Tagged() {}
};
struct Labelled : Tagged {
	std::string label;
	Labelled(const char *s) : label(s) {}
};

} // namespace shapes

static shapes::Polygon *make_polygon(int n, const char *name)
{
	auto *p = new shapes::Polygon;
	for (int i = 0; i < n; i++) {
		p->xs.push_back(i);
		p->ys.push_back(-i);
	}
	p->name = name;
	return p;
}

static std::map<std::string, int> registry; // still reachable

int main()
{
	// A group of three polygons, lost as a whole through a Shape pointer.
	shapes::Shape *g;
	{
		auto *grp = new shapes::Group;
		grp->members["triangle-with-a-long-name"] = make_polygon(3, "a polygon name longer than 15");
		grp->members["sq"] = make_polygon(4, "sq");
		grp->members["pentagon-name-long-enough"] = make_polygon(5, "p");
		g = grp;
	}
	std::printf("area %g\n", g->area());
	g = nullptr;

	// Deleting through the non-virtual base frees the object but not
	// the string the derived part owns.
	shapes::Tagged *t = new shapes::Labelled("a label long enough to be on the heap");
	delete static_cast<shapes::Tagged *>(t);

	for (int i = 0; i < 10; i++)
		registry["key number " + std::to_string(i) + " with heap storage"] = i;

	std::vector<std::unique_ptr<shapes::Shape>> owned;
	for (int i = 0; i < 20; i++)
		owned.emplace_back(make_polygon(i, "owned"));
	return 0;
}
